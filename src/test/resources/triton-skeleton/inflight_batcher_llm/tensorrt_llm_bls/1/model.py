# Test fixture standing in for the Triton python model of tensorrt_llm_bls; only copied, never run.
