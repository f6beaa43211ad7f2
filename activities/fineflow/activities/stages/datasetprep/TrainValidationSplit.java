package fineflow.activities.stages.datasetprep;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Deterministic train/validation split: the same records in the same order with the same seed
 * always give the same split. {@code java.util.Random}'s generator and
 * {@code Collections.shuffle}'s algorithm are both specified by the JDK, so this holds across
 * JVMs. Each side keeps the input order (readable diffs; the trainer shuffles per epoch).
 */
record TrainValidationSplit<T>(List<T> train, List<T> validation) {

  TrainValidationSplit {
    train = List.copyOf(train);
    validation = List.copyOf(validation);
  }

  /**
   * @param ratio share for validation, 0 &lt; ratio &lt; 1; at least one record lands on each side
   * @throws IllegalArgumentException for fewer than two records
   */
  static <T> TrainValidationSplit<T> of(List<T> records, double ratio, long seed) {
    int n = records.size();
    if (n < 2) {
      throw new IllegalArgumentException("need at least 2 valid records to split, got " + n);
    }
    int validationCount = (int) Math.max(1, Math.min(n - 1, Math.round(n * ratio)));
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      order.add(i);
    }
    Collections.shuffle(order, new Random(seed));
    boolean[] isValidation = new boolean[n];
    for (int i = 0; i < validationCount; i++) {
      isValidation[order.get(i)] = true;
    }
    List<T> train = new ArrayList<>();
    List<T> validation = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      (isValidation[i] ? validation : train).add(records.get(i));
    }
    return new TrainValidationSplit<>(train, validation);
  }
}
