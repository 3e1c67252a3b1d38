package dev.vmaddr.dhcp.protocol;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/** Makes fuzz inputs: pure noise, or a valid seed packet with one to three mutations. */
final class Mutator {
    private Mutator() {
    }

    static byte[] next(SplittableRandom rnd, List<byte[]> seeds) {
        if (rnd.nextInt(20) == 0) {
            byte[] noise = new byte[rnd.nextInt(700)];
            rnd.nextBytes(noise);
            if (noise.length >= 240 && rnd.nextBoolean()) {  // noise that passes the cookie check
                noise[0] = 1;
                noise[2] = 6;
                noise[236] = 0x63; noise[237] = (byte) 0x82; noise[238] = 0x53; noise[239] = 0x63;
            }
            return noise;
        }
        byte[] p = seeds.get(rnd.nextInt(seeds.size())).clone();
        int mutations = 1 + rnd.nextInt(3);
        for (int m = 0; m < mutations; m++) {
            p = mutate(rnd, p);
        }
        return p;
    }

    private static byte[] mutate(SplittableRandom rnd, byte[] p) {
        switch (rnd.nextInt(8)) {
            case 0 -> { // bit flips anywhere
                for (int k = 1 + rnd.nextInt(8); k > 0 && p.length > 0; k--) {
                    int i = rnd.nextInt(p.length);
                    p[i] ^= (byte) (1 << rnd.nextInt(8));
                }
            }
            case 1 -> p = Arrays.copyOf(p, rnd.nextInt(p.length + 1)); // truncation
            case 2 -> lieAboutALength(rnd, p);
            case 3 -> overloadLoop(rnd, p);
            case 4 -> { // random byte in the options area
                if (p.length > 240) {
                    p[240 + rnd.nextInt(p.length - 240)] = (byte) rnd.nextInt(256);
                }
            }
            case 5 -> { // append a random option (maybe a repeat of an existing code)
                byte[] q = Arrays.copyOf(p, p.length + 2 + 4);
                int end = indexOfEnd(p);
                System.arraycopy(p, end, q, end + 6, p.length - end);
                q[end] = (byte) (rnd.nextBoolean() ? rnd.nextInt(256) : new int[] {50, 53, 54, 61, 55, 82, 121, 52}[rnd.nextInt(8)]);
                q[end + 1] = 4;
                for (int k = 0; k < 4; k++) {
                    q[end + 2 + k] = (byte) rnd.nextInt(256);
                }
                p = q;
            }
            case 6 -> { // message type, giaddr, ciaddr changes
                if (p.length >= 240) {
                    int field = 12 + 4 * rnd.nextInt(4);
                    byte[] addr = rnd.nextBoolean() ? new byte[] {(byte) 198, 18, (byte) rnd.nextInt(2), (byte) rnd.nextInt(256)} : new byte[4];
                    System.arraycopy(addr, 0, p, field, 4);
                }
                int t = indexOfCode(p, 53);
                if (t >= 0 && t + 2 < p.length) {
                    p[t + 2] = (byte) rnd.nextInt(10);
                }
            }
            default -> { // htype/hlen/op games
                if (p.length > 3) {
                    p[rnd.nextInt(3)] = (byte) rnd.nextInt(20);
                }
            }
        }
        return p;
    }

    private static void lieAboutALength(SplittableRandom rnd, byte[] p) {
        int i = 240;
        int options = 0;
        int target = rnd.nextInt(8);
        while (i + 1 < p.length && (p[i] & 0xFF) != 255) {
            if (p[i] == 0) {
                i++;
                continue;
            }
            if (options++ == target) {
                p[i + 1] = (byte) rnd.nextInt(256);
                return;
            }
            i += 2 + (p[i + 1] & 0xFF);
        }
    }

    /** Option 52 = 3 with file and sname full of further 52s and truncated options. */
    private static void overloadLoop(SplittableRandom rnd, byte[] p) {
        if (p.length < 244) {
            return;
        }
        p[240] = 52; p[241] = 1; p[242] = (byte) (1 + rnd.nextInt(3)); p[243] = (byte) 255;
        for (int i = 44; i + 2 < 236; i += 3) {
            p[i] = 52; p[i + 1] = 1; p[i + 2] = (byte) rnd.nextInt(5);
        }
        if (rnd.nextBoolean()) {
            p[44 + rnd.nextInt(190)] = (byte) rnd.nextInt(256);
        }
    }

    private static int indexOfEnd(byte[] p) {
        int i = 240;
        while (i + 1 < p.length && (p[i] & 0xFF) != 255) {
            i += p[i] == 0 ? 1 : 2 + (p[i + 1] & 0xFF);
        }
        return Math.min(Math.max(i, 0), p.length);
    }

    private static int indexOfCode(byte[] p, int code) {
        int i = 240;
        while (i + 1 < p.length && (p[i] & 0xFF) != 255) {
            if ((p[i] & 0xFF) == code) {
                return i;
            }
            i += p[i] == 0 ? 1 : 2 + (p[i + 1] & 0xFF);
        }
        return -1;
    }
}
