# Test fixture standing in for the Triton python model of postprocessing; only copied, never run.
