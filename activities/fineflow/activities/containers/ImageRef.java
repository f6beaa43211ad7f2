package fineflow.activities.containers;

/** An image reference split as the container runtime does: repository, tag (or digest). */
public record ImageRef(String repository, String tag) {

  public static ImageRef parse(String image) {
    String name = image;
    String tag = "latest";
    int at = name.indexOf('@');
    if (at >= 0) {
      tag = name.substring(at + 1);
      name = name.substring(0, at);
    }
    int colon = name.lastIndexOf(':');
    if (colon > name.lastIndexOf('/')) {
      if (at < 0) {
        tag = name.substring(colon + 1);
      }
      name = name.substring(0, colon);
    }
    return new ImageRef(name, tag);
  }

  public String lastSegment() {
    return repository.substring(repository.lastIndexOf('/') + 1);
  }
}
