package fineflow.workers.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fineflow.workflows.estimate.EstimateInput;
import fineflow.workflows.estimate.MemoryComponent;
import fineflow.workflows.estimate.MemoryEstimate;
import fineflow.workflows.estimate.MemoryEstimator;
import fineflow.workflows.estimate.ModelConfig;
import fineflow.workflows.estimate.Preflight;
import fineflow.workflows.format.Json;
import fineflow.workflows.spec.LoraSpec;
import fineflow.workflows.spec.Optimizer;
import fineflow.workflows.spec.Precision;
import fineflow.workflows.spec.SpecException;
import fineflow.workflows.spec.TrainingMethod;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code fineflow estimate}: the GPU memory a fine-tuning run needs, by component. */
@Command(
    name = "estimate",
    header = "Estimate the peak GPU memory of fine-tuning from the model architecture.",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
        "Estimate the peak GPU memory of fine-tuning, from a spec or from a model's config.json.",
        "Computed from the architecture: parameter counts, optimizer state, activations.",
        "docs/estimator.md gives the formulas and how close they come to measurements.",
        ""},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:the estimate fits the GPU (or no GPU size was given)",
        "2:bad input (spec, config.json or options)",
        "3:the run cannot fit the GPU"})
final class EstimateCommand implements Callable<Integer> {
  private static final double GIB = 1L << 30;
  private static final List<String> TRAINING_OPTIONS = List.of("--method", "--lora-r", "--lora-targets",
      "--lora-dropout", "--micro-batch", "--seq-len", "--gradient-checkpointing", "--optimizer", "--precision");

  @Spec
  CommandSpec command;

  @Parameters(arity = "0..1", paramLabel = "SPEC",
      description = "Pipeline spec (YAML): its training section, model.architecture and cluster.gpuMemoryGib.")
  Path specFile;

  @Option(names = "--model-config", paramLabel = "CONFIG.json",
      description = "A Hugging Face config.json (instead of a spec).")
  Path modelConfig;

  @Option(names = "--method", paramLabel = "full|lora|qlora", defaultValue = "lora",
      description = "Fine-tuning method (default: ${DEFAULT-VALUE}).")
  String method;

  // The spec's defaults, so an estimate without options is the estimate of a spec without them.
  @Option(names = "--lora-r", paramLabel = "N", defaultValue = "" + LoraSpec.DEFAULT_R,
      description = "LoRA rank (default: ${DEFAULT-VALUE}).")
  int loraR;

  @Option(names = "--lora-targets", paramLabel = "MODULE", split = ",",
      defaultValue = "q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj",
      description = "LoRA target modules, comma-separated, or all-linear (default: ${DEFAULT-VALUE}).")
  List<String> loraTargets;

  @Option(names = "--lora-dropout", paramLabel = "X", defaultValue = "" + LoraSpec.DEFAULT_DROPOUT,
      description = "LoRA dropout; > 0 keeps a dropout mask per target (default: ${DEFAULT-VALUE}).")
  double loraDropout;

  @Option(names = "--micro-batch", paramLabel = "N", defaultValue = "1",
      description = "Per-device micro-batch (default: ${DEFAULT-VALUE}).")
  int microBatch;

  @Option(names = "--seq-len", paramLabel = "N", defaultValue = "512",
      description = "Tokens per example (default: ${DEFAULT-VALUE}).")
  int seqLen;

  @Option(names = "--gradient-checkpointing", description = "Recompute activations in backward.")
  boolean gradientCheckpointing;

  @Option(names = "--optimizer", paramLabel = "NAME", defaultValue = "adamw_torch",
      description = "adamw_torch, adamw, paged_adamw_32bit, paged_adamw_8bit, adamw_8bit or sgd (default: ${DEFAULT-VALUE}).")
  String optimizer;

  @Option(names = "--precision", paramLabel = "bf16|fp16|fp32", defaultValue = "bf16",
      description = "Training precision (default: ${DEFAULT-VALUE}).")
  String precision;

  @Option(names = "--gpu-memory-gib", paramLabel = "N",
      description = "Memory of one GPU in GiB; exit 3 when the estimate exceeds it (default: the spec's cluster.gpuMemoryGib).")
  Double gpuMemoryGib;

  @Mixin OutputOptions output;

  @Override
  public Integer call() {
    PrintWriter err = command.commandLine().getErr();
    EstimateInput input;
    Double gpuGib = gpuMemoryGib;
    String gpuSource = "--gpu-memory-gib";
    try {
      if (specFile != null) {
        if (modelConfig != null || TRAINING_OPTIONS.stream().anyMatch(this::given)) {
          err.println("fineflow estimate: a SPEC brings its own model and training settings;"
              + " use --model-config with the training options instead");
          return ExitCode.BAD_INPUT;
        }
        SpecInput spec = SpecInput.read(specFile);
        if (!spec.ok()) {
          spec.printProblems(err);
          err.flush();
          return ExitCode.BAD_INPUT;
        }
        input = EstimateInput.fromSpec(spec.spec());
        if (gpuGib == null) {
          gpuGib = spec.spec().cluster().gpuMemoryGib();
          gpuSource = "cluster.gpuMemoryGib";
        }
      } else if (modelConfig != null) {
        input = fromOptions(ModelConfig.fromConfigJson(Files.readString(modelConfig)));
      } else {
        err.println("fineflow estimate: give a SPEC or --model-config CONFIG.json (see --help)");
        return ExitCode.BAD_INPUT;
      }
    } catch (IOException e) {
      err.println("fineflow estimate: cannot read " + e.getMessage());
      return ExitCode.BAD_INPUT;
    } catch (SpecException | IllegalArgumentException e) {
      err.println("fineflow estimate: " + e.getMessage());
      return ExitCode.BAD_INPUT;
    }
    if (gpuGib != null && !(gpuGib > 0)) {
      err.println("fineflow estimate: " + gpuSource + " must be > 0 (is " + gpuGib + ")");
      return ExitCode.BAD_INPUT;
    }

    MemoryEstimate estimate = MemoryEstimator.estimate(input);
    Long gpuBytes = gpuGib == null ? null : Math.round(gpuGib * GIB);
    PrintWriter out = command.commandLine().getOut();
    out.print(output.json() ? json(input, estimate, gpuBytes) : text(input, estimate, gpuBytes));
    out.flush();
    if (gpuBytes != null && !estimate.fits(gpuBytes)) {
      err.println("fineflow estimate: " + Preflight.reason(estimate, gpuBytes, gpuSource));
      return ExitCode.DOES_NOT_FIT;
    }
    return ExitCode.OK;
  }

  private boolean given(String option) {
    return command.commandLine().getParseResult().hasMatchedOption(option);
  }

  private EstimateInput fromOptions(ModelConfig model) {
    return EstimateInput.builder(model)
        .method(choice(TrainingMethod.values(), method, "--method"))
        .loraR(loraR)
        .loraTargets(loraTargets.stream().map(String::trim).toList())
        .loraDropout(loraDropout)
        .microBatch(microBatch)
        .seqLen(seqLen)
        .gradientCheckpointing(gradientCheckpointing)
        .optimizer(choice(Optimizer.values(), optimizer, "--optimizer"))
        .precision(choice(Precision.values(), precision, "--precision"))
        .build();
  }

  /** The constant whose lower-case name is {@code value} (the spelling of the spec's YAML). */
  private static <E extends Enum<E>> E choice(E[] values, String value, String option) {
    for (E e : values) {
      if (e.name().toLowerCase(Locale.ROOT).equals(value)) {
        return e;
      }
    }
    throw new IllegalArgumentException(option + " must be one of " + Arrays.stream(values)
        .map(e -> e.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", ")) + " (is " + value + ")");
  }

  static String text(EstimateInput in, MemoryEstimate e, Long gpuBytes) {
    StringBuilder s = new StringBuilder();
    ModelConfig m = in.model();
    s.append(String.format(Locale.ROOT, "Fine-tuning memory estimate: %s %s, %d layers x hidden %d%n",
        in.method().name().toLowerCase(Locale.ROOT), m.modelType(), m.numHiddenLayers(), m.hiddenSize()));
    String adapters = in.method().usesAdapters()
        ? String.format(Locale.ROOT, "r=%d on %s, ", in.loraR(), String.join(",", in.loraTargets())) : "";
    s.append(String.format(Locale.ROOT, "  %smicro-batch %d x %d tokens, gradient checkpointing %s, %s, %s%n",
        adapters, in.microBatch(), in.seqLen(), in.gradientCheckpointing() ? "on" : "off",
        in.optimizer().name().toLowerCase(Locale.ROOT), in.precision().name().toLowerCase(Locale.ROOT)));
    s.append(String.format(Locale.ROOT, "Parameters: %,d total, %,d trainable (%.4f%%)%n%n",
        e.totalParams(), e.trainableParams(), 100 * e.trainableFraction()));
    s.append(String.format(Locale.ROOT, "%-52s %10s%n", "COMPONENT", "GiB"));
    for (MemoryComponent c : MemoryComponent.values()) {
      s.append(String.format(Locale.ROOT, "%-52s %10.2f%n", c.label(), e.bytes(c) / GIB));
    }
    s.append(String.format(Locale.ROOT, "%-52s %10.2f%n", "total", e.totalBytes() / GIB));
    if (gpuBytes != null) {
      s.append(String.format(Locale.ROOT, "%n%s one %.1f GiB GPU (%.0f%% of it).%n",
          e.fits(gpuBytes) ? "Fits" : "Does NOT fit", gpuBytes / GIB, 100.0 * e.totalBytes() / gpuBytes));
    }
    return s.toString();
  }

  static String json(EstimateInput in, MemoryEstimate e, Long gpuBytes) {
    ObjectMapper mapper = Json.pretty();
    ObjectNode root = mapper.createObjectNode();
    root.put("totalParams", e.totalParams());
    root.put("trainableParams", e.trainableParams());
    root.put("estimatedBytes", e.estimatedBytes());
    root.put("allocatedBytes", e.allocatedBytes());
    ObjectNode breakdown = root.putObject("breakdown");
    e.breakdown().forEach((c, bytes) -> breakdown.put(c.key(), bytes));
    if (gpuBytes != null) {
      root.put("gpuMemoryBytes", gpuBytes);
      root.put("fits", e.fits(gpuBytes));
    }
    ObjectNode settings = root.putObject("input");
    settings.put("method", in.method().name().toLowerCase(Locale.ROOT));
    if (in.method().usesAdapters()) {
      settings.put("loraR", in.loraR());
      in.loraTargets().forEach(settings.putArray("loraTargets")::add);
    }
    settings.put("microBatch", in.microBatch());
    settings.put("seqLen", in.seqLen());
    settings.put("gradientCheckpointing", in.gradientCheckpointing());
    settings.put("optimizer", in.optimizer().name().toLowerCase(Locale.ROOT));
    settings.put("precision", in.precision().name().toLowerCase(Locale.ROOT));
    try {
      return mapper.writeValueAsString(root) + System.lineSeparator();
    } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
      throw new IllegalStateException("cannot write the estimate as JSON", ex);
    }
  }
}
