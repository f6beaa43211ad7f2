# Stand-in for the Triton python model of this folder, for the embedded dev stack and tests (the real one comes from the Triton image); only copied, never run.
