package fineflow.activities.stages.tritonrepo;

import java.util.List;

/**
 * One model's config.pbtxt after filling.
 *
 * @param filled placeholder names that got a value
 * @param unset optional parameters left at the backend's default (see {@link PbtxtFill})
 * @param leftovers {@code file:line: ${name}} for each placeholder that is still there
 */
record FilledConfig(String text, List<String> filled, List<String> unset, List<String> leftovers) {
  FilledConfig {
    filled = List.copyOf(filled);
    unset = List.copyOf(unset);
    leftovers = List.copyOf(leftovers);
  }
}
