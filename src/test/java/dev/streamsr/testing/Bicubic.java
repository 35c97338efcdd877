package dev.streamsr.testing;

/**
 * An independent reference: bicubic upscaling (a = -0.75, half-pixel centres, edge clamp, round
 * half to even) of packed RGB, written plainly so tests can check the engine and the whole flow
 * against it. Test code only: production never loops over pixels in Java.
 */
public final class Bicubic {
    private Bicubic() {
    }

    public static byte[] upscale(byte[] rgb, int w, int h, int s) {
        int ow = w * s;
        int oh = h * s;
        float[] tmp = new float[h * ow * 3];
        for (int x = 0; x < ow; x++) {
            double src = (x + 0.5) / s - 0.5;
            int x0 = (int) Math.floor(src);
            double t = src - x0;
            double[] k = weights(t);
            for (int y = 0; y < h; y++) {
                for (int c = 0; c < 3; c++) {
                    double acc = 0;
                    for (int i = 0; i < 4; i++) {
                        int xi = clamp(x0 - 1 + i, w);
                        acc += k[i] * (rgb[(y * w + xi) * 3 + c] & 0xff);
                    }
                    tmp[(y * ow + x) * 3 + c] = (float) acc;
                }
            }
        }
        byte[] out = new byte[oh * ow * 3];
        for (int y = 0; y < oh; y++) {
            double src = (y + 0.5) / s - 0.5;
            int y0 = (int) Math.floor(src);
            double[] k = weights(src - y0);
            for (int x = 0; x < ow; x++) {
                for (int c = 0; c < 3; c++) {
                    double acc = 0;
                    for (int i = 0; i < 4; i++) {
                        int yi = clamp(y0 - 1 + i, h);
                        acc += k[i] * tmp[(yi * ow + x) * 3 + c];
                    }
                    out[(y * ow + x) * 3 + c] = (byte) (int) Math.rint(Math.max(0, Math.min(255, acc)));
                }
            }
        }
        return out;
    }

    private static double[] weights(double t) {
        double a = -0.75;
        double[] k = new double[4];
        double[] d = {1 + t, t, 1 - t, 2 - t};
        for (int i = 0; i < 4; i++) {
            double x = Math.abs(d[i]);
            k[i] = x <= 1 ? ((a + 2) * x - (a + 3)) * x * x + 1
                    : x < 2 ? ((a * x - 5 * a) * x + 8 * a) * x - 4 * a : 0;
        }
        return k;
    }

    private static int clamp(int i, int n) {
        return i < 0 ? 0 : Math.min(i, n - 1);
    }

    /** PSNR in dB of two equally sized 8-bit images. */
    public static double psnr(byte[] a, byte[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("sizes differ: " + a.length + " vs " + b.length);
        }
        double se = 0;
        for (int i = 0; i < a.length; i++) {
            int d = (a[i] & 0xff) - (b[i] & 0xff);
            se += d * d;
        }
        double mse = se / a.length;
        return mse == 0 ? 100 : 10 * Math.log10(255.0 * 255.0 / mse);
    }

    /**
     * PSNR in dB of a decoded luma plane against the BT.709 limited-range luma of an RGB reference:
     * PSNR on Y, the way super-resolution results are reported, and free of any RGB converter's rounding.
     */
    public static double psnrLuma(byte[] yPlane, byte[] rgbReference) {
        int n = rgbReference.length / 3;
        if (yPlane.length < n) {
            throw new IllegalArgumentException("luma plane has " + yPlane.length + " bytes, reference has " + n + " pixels");
        }
        double se = 0;
        for (int i = 0; i < n; i++) {
            double ref = 16 + 219 * (0.2126 * (rgbReference[3 * i] & 0xff) + 0.7152 * (rgbReference[3 * i + 1] & 0xff)
                    + 0.0722 * (rgbReference[3 * i + 2] & 0xff)) / 255.0;
            double d = (yPlane[i] & 0xff) - ref;
            se += d * d;
        }
        double mse = se / n;
        return mse == 0 ? 100 : 10 * Math.log10(255.0 * 255.0 / mse);
    }
}
