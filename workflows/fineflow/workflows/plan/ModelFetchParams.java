package fineflow.workflows.plan;

import java.util.List;

/**
 * model-fetch's parameters ({@code model_fetch.py}).
 *
 * @param model a Hugging Face id, or a workspace path to hash
 * @param revision the branch, tag or commit to download; null for a workspace path
 * @param output the stage's output directory, where {@code model-fetch.json} is written
 */
public record ModelFetchParams(String model, String revision, String output) implements StageParams {

  @Override
  public List<String> argv() {
    return new Argv("python3", ModelFetch.PROGRAM).opt(OPTION, json()).build();
  }
}
