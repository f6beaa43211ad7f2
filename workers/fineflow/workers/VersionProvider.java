package fineflow.workers;

import picocli.CommandLine.IVersionProvider;

/** Reads the version Maven wrote into the jar manifest; {@code fineflow} and its stage programs print it. */
public final class VersionProvider implements IVersionProvider {
  @Override
  public String[] getVersion() {
    // Every package of the jar reads the manifest's main section: any class of it would do.
    String v = VersionProvider.class.getPackage().getImplementationVersion();
    return new String[] {"fineflow " + (v == null ? "(development build)" : v)};
  }
}
