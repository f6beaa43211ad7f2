package fineflow.workflows.estimate;

import static org.assertj.core.api.Assertions.assertThat;

import fineflow.workflows.spec.PipelineSpec;
import fineflow.workflows.spec.SpecLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class PreflightSummaryTest {
  @Test
  void summarisesTheEstimateForTheOutOfMemoryHint() throws Exception {
    PipelineSpec elyza = SpecLoader.load(Files.readString(Path.of("configs/elyza-7b-qlora-triton.yaml")), "elyza");
    assertThat(Preflight.summary(elyza)).hasValueSatisfying(s ->
        assertThat(s).matches("\\d+\\.\\d GiB of the 80\\.0 GiB GPU \\(largest: .+\\)"));
  }

  @Test
  void nothingToSayWithoutFineTuning() throws Exception {
    PipelineSpec gptOss = SpecLoader.load(Files.readString(Path.of("configs/gpt-oss-20b-trtllm-serve.yaml")), "gpt");
    assertThat(Preflight.summary(gptOss)).isEmpty();
  }
}
