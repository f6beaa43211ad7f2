package fineflow.workflows.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A spec as a JSON tree holding only what differs from the defaults. Patches are applied to this
 * tree, not to the fully resolved one, so defaults derived from other fields follow them: after
 * {@code engine.dtype=bfloat16} the defaulted {@code engine.loraStorageType} is bfloat16 too, and
 * after {@code serving.backend=vllm} the default image is vLLM's. (A value written explicitly
 * but equal to its default is indistinguishable from a default and follows as well.)
 */
final class SpecTree {
  private SpecTree() {
  }

  static ObjectNode minimal(PipelineSpec spec) {
    ObjectNode tree = SpecBinder.mapper().valueToTree(spec);
    PipelineSpec target = SpecBinder.bind(tree).spec();
    if (target == null) {
      return tree;
    }
    strip(tree, tree, target);
    return tree;
  }

  /** Children first, so a section whose fields all turned out default can go as a whole. */
  private static void strip(ObjectNode root, ObjectNode node, PipelineSpec target) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    for (String name : names) {
      JsonNode child = node.get(name);
      if (child instanceof ObjectNode object) {
        strip(root, object, target);
      }
      node.remove(name);
      if (!target.equals(SpecBinder.bind(root).spec())) {
        node.set(name, child);
      }
    }
    // Put what was kept back in declaration order (set() appended it at the end).
    for (String name : names) {
      JsonNode kept = node.remove(name);
      if (kept != null) {
        node.set(name, kept);
      }
    }
  }
}
