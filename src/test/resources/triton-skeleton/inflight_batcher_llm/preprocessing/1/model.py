# Test fixture standing in for the Triton python model of preprocessing; only copied, never run.
