package fineflow.activities.kubernetes;

import fineflow.workflows.contract.LaunchRequest;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;

/** The objects a stage's launch creates, built without touching the cluster. */
@FunctionalInterface
public interface StageManifests {
  List<HasMetadata> objects(LaunchRequest request);
}
