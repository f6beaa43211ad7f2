package fineflow.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import fineflow.activities.containers.ContainerLaunch;
import fineflow.activities.containers.ImageContract;
import fineflow.activities.containers.ImageContracts;
import fineflow.activities.containers.ImageProgram;
import fineflow.activities.kubernetes.JobFactory;
import fineflow.activities.kubernetes.ProgramsConfigMap;
import fineflow.activities.rollout.RolloutObjects;
import fineflow.workflows.contract.LaunchRequest;
import fineflow.workflows.plan.OutputPin;
import fineflow.workflows.plan.Plan;
import fineflow.workflows.plan.Planner;
import fineflow.workflows.plan.Programs;
import fineflow.workflows.plan.Stage;
import fineflow.workflows.plan.StageKind;
import fineflow.workflows.plan.StageName;
import fineflow.workflows.spec.PipelineSpec;
import fineflow.workflows.spec.SpecLoader;
import fineflow.workflows.spec.SpecPatch;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every container of every shipped config (and configs/elyza-7b-qlora-triton.yaml on two GPUs) runs
 * as written on its image: fineflow's own images as images/*&#47;Dockerfile builds them, NVIDIA's
 * and vLLM's as {@code resources/fineflow/contracts/images.json} declares them.
 */
class ContainerContractTest {
  private static final ImageContracts CONTRACTS = ImageContracts.fromClasspath();
  private static final Path PROGRAMS = Path.of("resources/fineflow/programs");
  /** The standard library modules fineflow's programs may import without an installed package. */
  private static final Set<String> STDLIB = Set.of("__future__", "argparse", "ast", "collections",
      "contextlib", "copy", "dataclasses", "datetime", "enum", "errno", "functools", "glob",
      "hashlib", "io", "itertools", "json", "logging", "math", "os", "pathlib", "random", "re",
      "shutil", "signal", "stat", "string", "struct", "subprocess", "sys", "tempfile",
      "textwrap", "time", "traceback", "typing", "warnings");

  /** configs/*.yaml, and elyza-7b-qlora-triton.yaml with a tensor-parallel engine on two GPUs. */
  static Stream<String> specs() throws IOException {
    List<String> names = new ArrayList<>();
    try (Stream<Path> files = Files.list(Path.of("configs"))) {
      files.filter(f -> f.toString().endsWith(".yaml")).sorted().forEach(f -> names.add(f.toString()));
    }
    names.add("configs/elyza-7b-qlora-triton.yaml tp=2");
    return names.stream();
  }

  static PipelineSpec load(String name) throws IOException {
    String file = name.split(" ")[0];
    PipelineSpec spec = SpecLoader.load(Files.readString(Path.of(file)), file);
    return name.endsWith("tp=2")
        ? SpecPatch.apply(spec, List.of("engine.tpSize=2", "cluster.gpuCount=2"))
        : spec;
  }

  /** A commit sha as model-fetch records it. */
  private static final String RECORDED_SHA = "0123456789abcdef0123456789abcdef01234567";
  /** What dataset-prep records: the sha256 of the folder it wrote. */
  private static final String RECORDED_DATASET_SHA = "89abcdef".repeat(8);

  /**
   * Every pod spec the plan's first launches create: model-fetch's as planned, the later
   * stages' as the run launches them, with the sha model-fetch recorded folded in.
   */
  static Map<String, PodSpec> pods(PipelineSpec spec) {
    Plan planned = Planner.plan(spec);
    List<OutputPin> pins = new ArrayList<>(List.of(new OutputPin(StageName.MODEL_FETCH,
        planned.stage(StageName.MODEL_FETCH).orElseThrow().cacheKey(), RECORDED_SHA)));
    planned.stage(StageName.DATASET_PREP).ifPresent(prep -> pins.add(new OutputPin(
        StageName.DATASET_PREP, prep.cacheKey(), RECORDED_DATASET_SHA)));
    Plan plan = planned.pinned(pins);
    Map<String, PodSpec> pods = new LinkedHashMap<>();
    for (Stage stage : plan.stages()) {
      LaunchRequest request = new LaunchRequest("contract-run", spec.cluster().namespace(), stage, 1,
          plan.specDigest(), spec.cluster());
      pods.put(stage.name().id(), stage.kind() == StageKind.JOB
          ? new JobFactory().job(request).getSpec().getTemplate().getSpec()
          : RolloutObjects.of(request, new KubernetesSerialization()).deployment().getSpec()
              .getTemplate().getSpec());
    }
    return pods;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("specs")
  void everyContainerRunsAsWrittenOnItsImage(String name) throws IOException {
    List<String> problems = new ArrayList<>();
    pods(load(name)).forEach((stage, pod) -> {
      List<Container> containers = new ArrayList<>(pod.getInitContainers());
      containers.addAll(pod.getContainers());
      for (Container c : containers) {
        problems.addAll(check(stage, pod, c, pod.getInitContainers().contains(c)).stream()
            .map(p -> stage + "/" + c.getName() + ": " + p).toList());
      }
    });
    assertThat(problems).as(name).isEmpty();
  }

  /** What would keep one container from running as written; empty when nothing would. */
  private static List<String> check(String stage, PodSpec pod, Container c, boolean init) {
    List<String> problems = new ArrayList<>();
    if (c.getCommand() == null || c.getCommand().isEmpty()) {
      problems.add("no explicit command: the image's ENTRYPOINT " + "would be composed with args "
          + c.getArgs());
    }
    ContainerLaunch launch;
    try {
      launch = ContainerLaunch.resolve(c, CONTRACTS);
    } catch (RuntimeException e) {
      problems.add(e.getMessage());
      return problems;
    }
    ImageContract image = launch.image();
    List<String> argv = launch.argv();
    // Kubernetes expands $(NAME) in command and args from the container's env.
    Set<String> env = new TreeSet<>();
    (c.getEnv() == null ? List.<EnvVar>of() : c.getEnv()).forEach(e -> env.add(e.getName()));
    for (String arg : argv) {
      Matcher m = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)").matcher(arg);
      while (m.find()) {
        if (env.contains(m.group(1))) {
          problems.add("argument " + arg + " would be rewritten by the kubelet from env " + m.group(1));
        } else {
          // Left as written by the kubelet: a planner placeholder (the model sha) never filled in.
          problems.add("argument " + arg + " reaches the program with " + m.group()
              + " in it (no env " + m.group(1) + ")");
        }
      }
    }
    if (launch.program().name().equals("python3")) {
      problems.addAll(pythonProgram(c, image, argv));
    }
    for (String path : namedPaths(argv)) {
      if (!provided(pod, c, image, init, path)) {
        problems.add("argument path " + path + " is provided by no volume, init container or"
            + " the image " + c.getImage());
      }
    }
    return problems;
  }

  /** python3 SCRIPT: the script exists unhidden and its imports are installed in the image. */
  private static List<String> pythonProgram(Container c, ImageContract image, List<String> argv) {
    List<String> problems = new ArrayList<>();
    String script = argv.size() > 1 ? argv.get(1) : "";
    if (script.startsWith(Programs.DIR + "/")) {
      String file = script.substring(Programs.DIR.length() + 1);
      if (!ProgramsConfigMap.PROGRAMS.contains(file)) {
        problems.add(script + " is not in the " + Programs.CONFIG_MAP + " ConfigMap");
        return problems;
      }
      // python3 puts the script's folder first on sys.path: a program of the same ConfigMap
      // is importable, and its own imports must be installed too.
      List<String> files = new ArrayList<>(List.of(file));
      for (int i = 0; i < files.size(); i++) {
        for (String module : imports(PROGRAMS.resolve(files.get(i)))) {
          if (ProgramsConfigMap.PROGRAMS.contains(module + ".py")) {
            if (!files.contains(module + ".py")) {
              files.add(module + ".py");
            }
          } else if (!STDLIB.contains(module) && !image.modules().contains(module)) {
            problems.add(files.get(i) + " imports " + module + ", which " + c.getImage()
                + " does not install (it has " + image.modules() + ")");
          }
        }
      }
    } else if (!image.provides(script)) {
      problems.add("python3 runs " + script + ", which " + c.getImage() + " does not provide");
    } else {
      ContainerLaunch.hiddenBy(c, script).ifPresent(m ->
          problems.add(script + " of the image is hidden by the volume mount at " + m));
    }
    return problems;
  }

  /** Top-level modules of every import statement, wherever it is in the file. */
  static Set<String> imports(Path program) {
    Set<String> modules = new TreeSet<>();
    Matcher m = Pattern.compile("^\\s*(?:import\\s+([\\w.]+(?:\\s*,\\s*[\\w.]+)*)|from\\s+([\\w.]+)\\s+import\\b)",
        Pattern.MULTILINE).matcher(read(program));
    while (m.find()) {
      String names = m.group(1) != null ? m.group(1) : m.group(2);
      for (String n : names.split(",")) {
        modules.add(n.strip().split("\\.")[0]);
      }
    }
    return modules;
  }

  /** Absolute paths in the program's arguments: whole arguments, {@code --flag=PATH} and list items. */
  static List<String> namedPaths(List<String> argv) {
    List<String> paths = new ArrayList<>();
    List<String> words = new ArrayList<>();
    for (String arg : argv.subList(Math.min(1, argv.size()), argv.size())) {
      if (arg.startsWith("{")) {
        // A stage's parameters (--params JSON): the paths are its text values.
        try {
          textValues(fineflow.workflows.format.Json.mapper().readTree(arg), words);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      } else {
        words.add(arg);
      }
    }
    for (String arg : words) {
      String value = arg.startsWith("-") && arg.contains("=") ? arg.substring(arg.indexOf('=') + 1) : arg;
      for (String part : value.split(",")) {
        if (part.startsWith("/") && part.length() > 1) {
          paths.add(part.replaceAll("/\\.$", "").replaceAll("/+$", ""));
        }
      }
    }
    return paths;
  }

  private static void textValues(com.fasterxml.jackson.databind.JsonNode node, List<String> out) {
    if (node.isTextual()) {
      out.add(node.textValue());
    }
    node.forEach(child -> textValues(child, out));
  }

  private static boolean provided(PodSpec pod, Container c, ImageContract image, boolean init, String path) {
    Optional<VolumeMount> mount = (c.getVolumeMounts() == null ? List.<VolumeMount>of() : c.getVolumeMounts())
        .stream()
        .filter(m -> path.equals(strip(m.getMountPath())) || path.startsWith(strip(m.getMountPath()) + "/"))
        .max((a, b) -> Integer.compare(a.getMountPath().length(), b.getMountPath().length()));
    if (mount.isEmpty()) {
      return image.provides(path);
    }
    Volume volume = pod.getVolumes().stream().filter(v -> v.getName().equals(mount.get().getName()))
        .findFirst().orElse(null);
    if (volume == null) {
      return false;
    }
    if (volume.getPersistentVolumeClaim() != null) {
      return true; // the workspace: earlier stages' outputs and this one's
    }
    if (volume.getConfigMap() != null) {
      if (mount.get().getSubPath() != null) {
        return path.equals(strip(mount.get().getMountPath()));
      }
      String key = path.substring(strip(mount.get().getMountPath()).length()).replaceAll("^/", "");
      return !volume.getConfigMap().getName().equals(Programs.CONFIG_MAP)
          || ProgramsConfigMap.PROGRAMS.contains(key);
    }
    if (volume.getEmptyDir() != null) {
      // Empty unless an init container fills it (or this is that init container).
      return init || pod.getInitContainers().stream().anyMatch(ic -> ic.getVolumeMounts().stream()
          .anyMatch(m -> m.getName().equals(volume.getName())));
    }
    return false;
  }

  private static String strip(String path) {
    return path.replaceAll("/+$", "");
  }

  // --- fineflow's own images, as their Dockerfiles build them

  @ParameterizedTest(name = "{0}")
  @MethodSource("ownImages")
  void ownImageContractsAreWhatTheDockerfilesBuild(String name, String dockerfile) {
    Dockerfile d = Dockerfile.parse(read(Path.of(dockerfile)));
    ImageContract declared = CONTRACTS.all().stream().filter(c -> name.equals(c.own())).findFirst()
        .orElseThrow();
    assertThat(declared.entrypoint()).as("ENTRYPOINT").isEqualTo(d.entrypoint());
    assertThat(declared.cmd()).as("CMD").isEqualTo(d.cmd());
    assertThat(declared.paths()).as("COPY destinations").containsExactlyInAnyOrderElementsOf(d.copies());
    assertThat(declared.modules()).as("pip packages").containsExactlyInAnyOrderElementsOf(d.pipPackages());
    for (ImageProgram p : declared.programs()) {
      if (p.path().startsWith("/usr/local/bin/") && !p.name().equals("vllm")) {
        assertThat(d.createdFiles()).as("programs the Dockerfile writes").contains(p.path());
      }
      assertThat(d.copies()).as(p.name() + " needs").containsAll(p.needs());
    }
    if (declared.base() != null) {
      int star = declared.base().indexOf(":*");
      String repository = star < 0 ? declared.base() : declared.base().substring(0, star);
      assertThat(d.from()).as("FROM").startsWith(repository + ":");
      if (star >= 0) {
        assertThat(d.from()).as("FROM").endsWith(declared.base().substring(star + 2));
      }
    }
  }

  static Stream<org.junit.jupiter.params.provider.Arguments> ownImages() {
    return Stream.of(
        org.junit.jupiter.params.provider.Arguments.of("fineflow", "images/fineflow/Dockerfile"),
        org.junit.jupiter.params.provider.Arguments.of("trainer", "images/trainer/Dockerfile"),
        org.junit.jupiter.params.provider.Arguments.of("fineflow-benchmark", "images/benchmark/Dockerfile"));
  }

  @Test
  void everyDeclaredFactNamesItsSource() throws IOException {
    var root = new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(Path.of("resources" + ImageContracts.RESOURCE).toFile());
    List<String> missing = new ArrayList<>();
    for (var image : root.path("images")) {
      for (String fact : List.of("entrypoint", "cmd")) {
        if (image.path(fact).path("source").asText("").isBlank()) {
          missing.add(image.path("name").asText() + "." + fact);
        }
      }
      for (String list : List.of("programs", "paths", "modules")) {
        for (var item : image.path(list)) {
          if (item.path("source").asText("").isBlank()) {
            missing.add(image.path("name").asText() + "." + list + ": " + item);
          }
        }
      }
    }
    assertThat(missing).isEmpty();
  }

  @Test
  void theCheckCatchesTheDefectsItGuardsAgainst() throws IOException {
    // A fineflow-image Job whose args repeat the ENTRYPOINT, and a mount over the jar.
    Map<String, PodSpec> pods = pods(load("configs/demo.yaml"));
    PodSpec repo = pods.get("triton-repo");
    Container main = repo.getContainers().get(0);
    Container doubled = new io.fabric8.kubernetes.api.model.ContainerBuilder(main)
        .withCommand().withArgs(main.getCommand()).build();
    assertThat(check("triton-repo", repo, doubled, false)).anyMatch(p -> p.contains("no explicit command"));
    Container hidden = new io.fabric8.kubernetes.api.model.ContainerBuilder(main)
        .addNewVolumeMount().withName(JobFactory.PROGRAMS_VOLUME).withMountPath("/opt/fineflow").endVolumeMount()
        .build();
    assertThat(check("triton-repo", repo, hidden, false)).anyMatch(p -> p.contains("is hidden by the volume mount at /opt/fineflow"));
    PodSpec noInit = new io.fabric8.kubernetes.api.model.PodSpecBuilder(repo).withInitContainers().build();
    assertThat(check("triton-repo", noInit, main, false)).anyMatch(p -> p.contains("/skeleton/inflight_batcher_llm"));
  }

  @Test
  void aStageLaunchedBeforeTheModelIsPinnedIsCaught() throws IOException {
    // train as planned, before the run folded model-fetch's sha in: its --model and --revision
    // still hold the placeholder, which the kubelet would pass on as written.
    PipelineSpec spec = load("configs/demo.yaml");
    Plan planned = Planner.plan(spec);
    Stage train = planned.stage(StageName.TRAIN).orElseThrow();
    PodSpec pod = new JobFactory().job(new LaunchRequest("contract-run", spec.cluster().namespace(),
        train, 1, planned.specDigest(), spec.cluster())).getSpec().getTemplate().getSpec();
    assertThat(check("train", pod, pod.getContainers().get(0), false))
        .anyMatch(p -> p.contains("reaches the program with $(MODEL_SHA) in it"));
    assertThat(pods(spec).get("train").getContainers().get(0).getCommand())
        .anyMatch(a -> a.contains(RECORDED_SHA)).noneMatch(a -> a.contains("$("));
  }

  static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
