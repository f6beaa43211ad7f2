package fineflow.workflows.plan;

import java.util.List;

/**
 * checkpoint-convert's parameters: the converter's values ({@code convert_checkpoint.py}, or
 * {@code quantize.py} for modes that calibrate; see {@link CheckpointConvert}) and what
 * stage_runner.py checks the model and the written checkpoint's config.json against.
 *
 * @param script the converter's path in the image
 * @param modelDir the Hugging Face model folder
 * @param outputDir the stage's output directory
 * @param dtype the checkpoint's dtype
 * @param weightOnlyPrecision convert_checkpoint.py's {@code --weight_only_precision}; null for
 *     none or with quantize.py
 * @param quantize quantize.py's values; null with convert_checkpoint.py
 * @param parallel tensor and pipeline parallel sizes; null on one GPU
 */
public record CheckpointConvertParams(String script, String modelDir, String outputDir,
    String dtype, String weightOnlyPrecision, Quantize quantize, Parallel parallel)
    implements StageParams {

  /**
   * @param qformat {@code --qformat}
   * @param awqBlockSize {@code --awq_block_size}; null unless AWQ
   * @param kvCacheDtype {@code --kv_cache_dtype}; null unless an int8 KV cache
   * @param calibSize {@code --calib_size}
   * @param calibDataset {@code --calib_dataset}, dataset-prep's calibration folder
   */
  public record Quantize(String qformat, Integer awqBlockSize, String kvCacheDtype,
      int calibSize, String calibDataset) {
  }

  public record Parallel(int tpSize, int ppSize) {
  }

  @Override
  public List<String> argv() {
    Argv tool = new Argv("python3", script)
        .opt("--model_dir", modelDir)
        .opt("--output_dir", outputDir)
        .opt("--dtype", dtype);
    if (quantize != null) {
      tool.opt("--qformat", quantize.qformat());
      if (quantize.awqBlockSize() != null) {
        tool.opt("--awq_block_size", quantize.awqBlockSize());
      }
      if (quantize.kvCacheDtype() != null) {
        tool.opt("--kv_cache_dtype", quantize.kvCacheDtype());
      }
      tool.opt("--calib_size", quantize.calibSize()).opt("--calib_dataset", quantize.calibDataset());
    } else if (weightOnlyPrecision != null) {
      tool.add("--use_weight_only").opt("--weight_only_precision", weightOnlyPrecision);
    }
    if (parallel != null) {
      tool.opt("--tp_size", parallel.tpSize()).opt("--pp_size", parallel.ppSize());
    }
    return new Argv("python3", Programs.STAGE_RUNNER).opt(OPTION, json()).add("--")
        .addAll(tool.build()).build();
  }
}
