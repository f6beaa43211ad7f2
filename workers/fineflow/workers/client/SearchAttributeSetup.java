package fineflow.workers.client;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.ListSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.ListSearchAttributesResponse;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Makes sure a cluster's namespace has the search attributes a worker's runs set: registers the
 * missing ones through the OperatorService when the caller may, and otherwise says exactly which
 * {@code temporal operator search-attribute create} commands an operator must run.
 */
public final class SearchAttributeSetup {
  private SearchAttributeSetup() {
  }

  /**
   * What the setup found and did.
   *
   * @param registered the attributes this call added
   * @param missing the attributes still missing (or of another type), with why they could not be added
   */
  public record Result(List<String> registered, Map<String, IndexedValueType> missing, String problem,
      String namespace) {
    public boolean ok() {
      return missing.isEmpty();
    }

    /** The commands that register what is missing, one per attribute. */
    public List<String> commands() {
      return missing.entrySet().stream().map(e -> "temporal operator search-attribute create --namespace "
          + namespace + " --name " + e.getKey() + " --type " + typeName(e.getValue())).toList();
    }
  }

  public static Result ensure(TemporalConnection connection, String namespace, Map<String, IndexedValueType> wanted) {
    // The worker's own channel: the same address, TLS and credentials.
    OperatorServiceStubs operator = OperatorServiceStubs.newServiceStubs(OperatorServiceStubsOptions.newBuilder()
        .setChannel(connection.service().getRawChannel()).validateAndBuildWithDefaults());
    try {
      Map<String, IndexedValueType> have;
      try {
        ListSearchAttributesResponse list = operator.blockingStub().listSearchAttributes(
            ListSearchAttributesRequest.newBuilder().setNamespace(namespace).build());
        have = list.getCustomAttributesMap();
      } catch (StatusRuntimeException e) {
        return new Result(List.of(), new TreeMap<>(wanted), "cannot list the search attributes: " + describe(e),
            namespace);
      }
      Map<String, IndexedValueType> missing = new TreeMap<>();
      List<String> clashes = new ArrayList<>();
      wanted.forEach((name, type) -> {
        IndexedValueType existing = have.get(name);
        if (existing == null) {
          missing.put(name, type);
        } else if (existing != type) {
          clashes.add(name + " is registered as " + typeName(existing) + ", fineflow needs " + typeName(type));
        }
      });
      if (!clashes.isEmpty()) {
        Map<String, IndexedValueType> wrong = new TreeMap<>(missing);
        wanted.forEach((name, type) -> {
          if (have.containsKey(name) && have.get(name) != type) {
            wrong.put(name, type);
          }
        });
        return new Result(List.of(), wrong, String.join("; ", clashes)
            + " (delete it first: temporal operator search-attribute remove --name NAME)", namespace);
      }
      if (missing.isEmpty()) {
        return new Result(List.of(), Map.of(), null, namespace);
      }
      try {
        operator.blockingStub().addSearchAttributes(AddSearchAttributesRequest.newBuilder().setNamespace(namespace)
            .putAllSearchAttributes(missing).build());
        return new Result(List.copyOf(missing.keySet()), Map.of(), null, namespace);
      } catch (StatusRuntimeException e) {
        return new Result(List.of(), missing, "cannot register them: " + describe(e), namespace);
      }
    } finally {
      operator.shutdown();
    }
  }

  private static String describe(StatusRuntimeException e) {
    Status status = e.getStatus();
    return status.getCode() + (status.getDescription() == null ? "" : " (" + status.getDescription() + ")");
  }

  /** The CLI's and the UI's name of a type: Keyword, Int, … */
  static String typeName(IndexedValueType type) {
    String[] words = type.name().replace("INDEXED_VALUE_TYPE_", "").toLowerCase(Locale.ROOT).split("_");
    StringBuilder name = new StringBuilder();
    for (String w : words) {
      name.append(Character.toUpperCase(w.charAt(0))).append(w.substring(1));
    }
    return name.toString();
  }
}
