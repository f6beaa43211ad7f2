package fineflow.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * docs/architecture.md "Layout": workers → activities → workflows, no package cycles, and workflows
 * stay deterministic.
 */
@AnalyzeClasses(packages = "fineflow", importOptions = ImportOption.DoNotIncludeTests.class)
class LayeringTest {

  @ArchTest
  static final ArchRule workflowsDependOnNothingAbove = noClasses()
      .that().resideInAPackage("fineflow.workflows..")
      .should().dependOnClassesThat().resideInAnyPackage("fineflow.activities..", "fineflow.workers..");

  @ArchTest
  static final ArchRule activitiesDoNotDependOnWorkers = noClasses()
      .that().resideInAPackage("fineflow.activities..")
      .should().dependOnClassesThat().resideInAPackage("fineflow.workers..");

  @ArchTest
  static final ArchRule workflowsDoNoIo = noClasses()
      .that().resideInAPackage("fineflow.workflows..")
      .should().dependOnClassesThat().resideInAnyPackage(
          "io.fabric8..", "okhttp3..", "java.io..", "java.nio.file..", "java.net..",
          "java.util.concurrent..", "java.util.random..")
      .orShould().dependOnClassesThat().haveFullyQualifiedName("java.lang.Thread")
      .orShould().dependOnClassesThat().haveFullyQualifiedName("java.util.Random")
      .orShould().dependOnClassesThat().haveFullyQualifiedName("java.util.UUID")
      .orShould().dependOnClassesThat().haveFullyQualifiedName("java.time.Clock")
      .orShould().callMethod(System.class, "currentTimeMillis")
      .orShould().callMethod(System.class, "nanoTime")
      .orShould().callMethod(java.time.Instant.class, "now")
      .because("workflow code is replayed by Temporal and must be deterministic");

  @ArchTest
  static final ArchRule packagesAreFreeOfCycles = slices().matching("fineflow.(**)")
      .should().beFreeOfCycles()
      .because("a package that both uses and is used by another cannot be read or changed alone");
}
