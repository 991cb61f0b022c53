package io.regionkv.cli;

import picocli.CommandLine.IVersionProvider;

/** The version in the jar's manifest (written by the build); a run from class folders has none. */
final class VersionProvider implements IVersionProvider {

    @Override
    public String[] getVersion() {
        String v = VersionProvider.class.getPackage().getImplementationVersion();
        return new String[] {"regionkv " + (v == null ? "(development build, not from a jar)" : v),
            "Java " + System.getProperty("java.version")};
    }
}
