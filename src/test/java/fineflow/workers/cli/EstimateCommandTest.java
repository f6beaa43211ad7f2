package fineflow.workers.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class EstimateCommandTest {
  private static final String LLAMA_7B = "src/test/resources/llama-2-7b-config.json";
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cl = Main.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    return cl.execute(args);
  }

  @Test
  void jsonFromAModelConfig() throws Exception {
    assertThat(run("estimate", "--model-config", LLAMA_7B, "--method", "lora", "--lora-r", "4",
        "--gradient-checkpointing", "--optimizer", "paged_adamw_8bit", "--output", "json")).isZero();
    JsonNode json = new ObjectMapper().readTree(out.toString());
    assertThat(json.get("totalParams").asLong()).isEqualTo(6_748_409_856L);
    assertThat(json.get("trainableParams").asLong()).isEqualTo(9_994_240L);
    long sum = 0;
    for (Iterator<Map.Entry<String, JsonNode>> it = json.get("breakdown").fields(); it.hasNext(); ) {
      sum += it.next().getValue().asLong();
    }
    assertThat(json.get("estimatedBytes").asLong()).isEqualTo(sum).isGreaterThan(13L << 30);
    assertThat(json.get("breakdown").get("frozenWeights").asLong()).isEqualTo(2 * 6_738_415_616L);
    assertThat(json.get("input").get("optimizer").asText()).isEqualTo("paged_adamw_8bit");
    assertThat(json.has("fits")).isFalse();
  }

  @Test
  void textTable() {
    assertThat(run("estimate", "--model-config", LLAMA_7B, "--method", "qlora", "--gradient-checkpointing",
        "--gpu-memory-gib", "24")).isZero();
    assertThat(out.toString())
        .contains("Parameters: 6,748,409,856 total, 9,994,240 trainable (0.1481%)")
        .contains("4-bit quantization constants")
        .contains("gradient checkpointing on")
        .containsPattern("total\\s+5\\.\\d\\d")
        .contains("Fits one 24.0 GiB GPU");
  }

  @Test
  void exitsThreeWhenItCannotFit() {
    assertThat(run("estimate", "--model-config", LLAMA_7B, "--method", "full", "--gpu-memory-gib", "80")).isEqualTo(3);
    assertThat(out.toString()).contains("Does NOT fit one 80.0 GiB GPU");
    assertThat(err.toString()).contains("training needs an estimated").contains("but --gpu-memory-gib is 80.0 GiB");
  }

  @Test
  void fromASpecUsesItsGpuSize() {
    assertThat(run("estimate", "configs/elyza-7b-qlora-triton.yaml", "--output", "json")).isZero();
    assertThat(out.toString()).contains("\"fits\" : true").contains("\"method\" : \"qlora\"");
    assertThat(run("estimate", "configs/elyza-7b-qlora-triton.yaml", "--gpu-memory-gib", "4")).isEqualTo(3);
    assertThat(err.toString()).contains("--gpu-memory-gib is 4.0 GiB");
  }

  @Test
  void specAndTrainingOptionsDoNotMix() {
    assertThat(run("estimate", "configs/elyza-7b-qlora-triton.yaml", "--method", "lora")).isEqualTo(2);
    assertThat(err.toString()).contains("use --model-config with the training options");
  }

  @Test
  void badInputExitsTwo(@TempDir Path dir) throws Exception {
    assertThat(run("estimate")).isEqualTo(2);
    assertThat(err.toString()).contains("give a SPEC or --model-config");
    assertThat(run("estimate", "--model-config", dir.resolve("missing.json").toString())).isEqualTo(2);
    assertThat(err.toString()).contains("cannot read").contains("missing.json");
    assertThat(run("estimate", "--model-config", LLAMA_7B, "--optimizer", "lion")).isEqualTo(2);
    assertThat(err.toString()).contains("--optimizer must be one of adamw_torch, adamw, paged_adamw_32bit");
    assertThat(run("estimate", "--model-config", LLAMA_7B, "--lora-targets", "q_proj,qkv")).isEqualTo(2);
    assertThat(err.toString()).contains("LoRA target qkv is not a projection");
    Path spec = dir.resolve("bad.yaml");
    Files.writeString(spec, "apiVersion: fineflow/v1\nkind: Pipeline\nmodel:\n  id: m\ntraining:\n  lora:\n    r: 0\n");
    assertThat(run("estimate", spec.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("bad.yaml:7:5: training.lora.r: must be > 0");
  }
}
