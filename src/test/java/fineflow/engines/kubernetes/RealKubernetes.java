package fineflow.engines.kubernetes;

import fineflow.engines.RealEngines;
import fineflow.workers.engines.EngineBinaries;
import fineflow.workers.engines.KubeControlPlane;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;

/** The real control plane for the tests of this package, and the shipped k8s/ manifests. */
final class RealKubernetes {
  static final Path MANIFESTS = Path.of("k8s");

  private RealKubernetes() {
  }

  /** Starts a fresh control plane under {@code dir}; fails on CI, skips elsewhere, when an engine is missing. */
  static KubeControlPlane start(Path dir) throws IOException {
    for (String engine : List.of("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler")) {
      RealEngines.require(engine);
    }
    KubeControlPlane plane = KubeControlPlane.start(EngineBinaries.fromEnvironment(), dir);
    System.out.printf("control plane started in %d ms%n", plane.startTime().toMillis());
    return plane;
  }

  /**
   * A client that records every {@code Warning} header the API server answers with (unknown
   * fields under fieldValidation=Warn, Pod Security violations of workload templates, deprecations).
   */
  static KubernetesClient recordingWarnings(Config config, List<String> warnings) {
    List<String> sink = Collections.synchronizedList(warnings);
    return new KubernetesClientBuilder().withConfig(config)
        .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("warnings", new Interceptor() {
          @Override
          public void after(HttpRequest request, HttpResponse<?> response,
              AsyncBody.Consumer<List<ByteBuffer>> consumer) {
            response.headers("Warning").forEach(w -> sink.add(request.method() + " " + request.uri().getPath() + ": " + w));
          }
        }))
        .build();
  }

  /** Every object of k8s/*.yaml, in file order (namespace.yaml first). */
  static List<HasMetadata> manifests() {
    List<HasMetadata> objects = new ArrayList<>();
    try (Stream<Path> files = Files.list(MANIFESTS)) {
      for (Path file : files.filter(p -> p.toString().endsWith(".yaml"))
          .sorted((a, b) -> rank(a) - rank(b) != 0 ? rank(a) - rank(b) : a.compareTo(b)).toList()) {
        objects.addAll(parse(Files.readString(file)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return objects;
  }

  /** The k8s/ objects moved to namespace {@code ns} (the Namespace renamed, the binding's subject too). */
  static List<HasMetadata> manifestsIn(String ns) {
    List<HasMetadata> objects = manifests();
    for (HasMetadata o : objects) {
      if (o instanceof Namespace) {
        o.getMetadata().setName(ns);
      } else {
        o.getMetadata().setNamespace(ns);
      }
      if (o instanceof RoleBinding binding) {
        binding.getSubjects().forEach(s -> s.setNamespace(ns));
      }
    }
    return objects;
  }

  /** Multi-document YAML (kubectl's or helm's output) into Fabric8's typed model. */
  static List<HasMetadata> parse(String yaml) {
    List<HasMetadata> objects = new ArrayList<>();
    for (String doc : yaml.split("(?m)^---\\s*$")) {
      if (!doc.lines().allMatch(l -> l.isBlank() || l.strip().startsWith("#"))) {
        objects.add(Serialization.unmarshal(doc, HasMetadata.class));
      }
    }
    return objects;
  }

  private static int rank(Path file) {
    return file.getFileName().toString().equals("namespace.yaml") ? 0 : 1;
  }
}
