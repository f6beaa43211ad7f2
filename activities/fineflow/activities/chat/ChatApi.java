package fineflow.activities.chat;

/** The two streaming APIs fineflow's servers speak. */
public enum ChatApi {
  /** Triton: POST /v2/models/{model}/generate_stream (needs decoupled mode). */
  TRITON,
  /** trtllm-serve and vLLM: POST /v1/chat/completions with stream=true. */
  OPENAI
}
