package fineflow.architecture;

import static com.tngtech.archunit.core.domain.JavaCall.Predicates.target;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.assignableTo;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.nameMatching;
import static com.tngtech.archunit.core.domain.properties.HasOwner.Predicates.With.owner;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.MapperBuilder;
import fineflow.activities.kubernetes.ManifestRenderer;
import fineflow.workflows.spec.SpecSchema;

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

  @ArchTest
  static final ArchRule jacksonMappersAreBuiltOnlyInFormat = noClasses()
      .that().resideOutsideOfPackage("fineflow.workflows.format")
      .should().callConstructorWhere(target(owner(assignableTo(ObjectMapper.class))))
      .orShould().dependOnClassesThat().areAssignableTo(MapperBuilder.class)
      .orShould().callMethodWhere(target(owner(assignableTo(ObjectMapper.class)))
          .and(target(nameMatching("copy|enable|disable|configure|register.*|findAndRegisterModules"
              + "|set.*|add.*"))))
      .because("fineflow.workflows.format.Json and Yaml own every mapper, each variant named for"
          + " its settings, so no file reads or writes JSON by rules of its own (issue 17)");

  @ArchTest
  static final ArchRule oneJacksonMajorVersion = noClasses()
      .that().doNotBelongToAnyOf(ManifestRenderer.class, SpecSchema.class)
      .should().dependOnClassesThat().resideInAPackage("tools.jackson..")
      .because("the code is on Jackson 2 (com.fasterxml.jackson); Jackson 3 only comes in with"
          + " Fabric8 8 and victools 5, whose APIs take or return its types: ManifestRenderer"
          + " (KubernetesSerialization's YAML settings need a Jackson 3 mapper) and SpecSchema"
          + " (the generator returns a Jackson 3 tree)");
}
