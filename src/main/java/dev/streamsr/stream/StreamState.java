package dev.streamsr.stream;

/** What a stream's source is doing, as shown to operators. */
public enum StreamState {
    STARTING, PLAYING, RECONNECTING, ENDED, FAILED, STOPPED
}
