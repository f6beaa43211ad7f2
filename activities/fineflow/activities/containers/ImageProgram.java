package fineflow.activities.containers;

import java.util.List;

/**
 * A program an image has on its PATH.
 *
 * @param needs files the program reads when it starts (the fineflow wrapper's jar): a mount
 *     over one of them breaks the program
 */
public record ImageProgram(String name, String path, List<String> needs) {
  public ImageProgram {
    needs = needs == null ? List.of() : List.copyOf(needs);
  }
}
