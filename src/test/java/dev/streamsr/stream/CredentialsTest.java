package dev.streamsr.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CredentialsTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "rtsp://admin:secret@10.0.0.5/stream1|rtsp://admin:***@10.0.0.5/stream1",
            "https://tok3n@cdn.example/live.m3u8|https://***@cdn.example/live.m3u8",
            "srt://10.0.0.6:9000?passphrase=longsecret1&latency=200|srt://10.0.0.6:9000?passphrase=***&latency=200",
            "https://cdn/x.m3u8?token=abc&X-Amz-Signature=f00d&ch=1|https://cdn/x.m3u8?token=***&X-Amz-Signature=***&ch=1",
            "rtmp://live.example/app?access_token=zz|rtmp://live.example/app?access_token=***",
            "udp://239.0.0.1:5000|udp://239.0.0.1:5000",
            "test://ball?size=64x48&fps=5/1|test://ball?size=64x48&fps=5/1"})
    void masksPasswordsAndSecretQueryValues(String uri, String shown) {
        assertEquals(shown, Credentials.mask(uri));
    }

    @Test
    void masksUrisQuotedInsideOtherText() {
        String error = "Could not open resource (rtsp://admin:hunter2@cam/1?token=t0k), giving up";
        String masked = Credentials.mask(error);
        assertFalse(masked.contains("hunter2") || masked.contains("t0k"), masked);
        assertTrue(masked.startsWith("Could not open resource (rtsp://admin:***@cam/1?token=***)"), masked);
        assertTrue(Credentials.present(error));
        assertFalse(Credentials.present("rtsp://cam/1"));
    }
}
