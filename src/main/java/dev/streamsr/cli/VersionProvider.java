package dev.streamsr.cli;

import picocli.CommandLine.IVersionProvider;

final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = StreamSr.class.getPackage().getImplementationVersion();
        return new String[] {"streamsr " + (v == null ? "dev" : v) + " (Java " + Runtime.version() + ")"};
    }
}
