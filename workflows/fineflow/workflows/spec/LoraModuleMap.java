package fineflow.workflows.spec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Hugging Face (PEFT) module names → TensorRT-LLM LoRA module names, as TensorRT-LLM's own
 * {@code get_default_trtllm_modules_to_hf_modules} and {@code hf_lora_convert.py} map them.
 * Note gate_proj → mlp_h_to_4h and up_proj → mlp_gate (the config.pbtxt comments say the
 * opposite and are wrong). Mapping once, here, is what makes the {@code map::at} of
 * docs/manual-procedure.md (module counts differ between training and trtllm-build) impossible.
 */
public final class LoraModuleMap {
  private static final Map<String, String> HF_TO_TRTLLM = new LinkedHashMap<>();

  static {
    HF_TO_TRTLLM.put("q_proj", "attn_q");
    HF_TO_TRTLLM.put("k_proj", "attn_k");
    HF_TO_TRTLLM.put("v_proj", "attn_v");
    HF_TO_TRTLLM.put("o_proj", "attn_dense");
    HF_TO_TRTLLM.put("gate_proj", "mlp_h_to_4h");
    HF_TO_TRTLLM.put("up_proj", "mlp_gate");
    HF_TO_TRTLLM.put("down_proj", "mlp_4h_to_h");
  }

  private LoraModuleMap() {
  }

  public static Optional<String> trtllmName(String hfName) {
    return Optional.ofNullable(HF_TO_TRTLLM.get(hfName));
  }

  /** Mapped names in the order given; unknown names are left out (the validator reports them). */
  public static List<String> toTrtllm(List<String> hfNames) {
    List<String> out = new ArrayList<>();
    for (String name : hfNames) {
      trtllmName(name).ifPresent(out::add);
    }
    return List.copyOf(out);
  }

  public static List<String> knownHfNames() {
    return List.copyOf(HF_TO_TRTLLM.keySet());
  }
}
