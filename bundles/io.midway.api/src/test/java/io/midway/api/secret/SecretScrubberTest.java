package io.midway.api.secret;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.Test;

public class SecretScrubberTest {

    @Test
    public void everyOccurrenceOfEverySecretIsMasked() {
        SecretScrubber scrubber = SecretScrubber.of("s3cret", "tok-123");

        assertEquals("user=admin password=******** again ******** token ********",
                scrubber.scrub("user=admin password=s3cret again s3cret token tok-123"));
        assertEquals("********", SecretScrubber.MASK);
    }

    @Test
    public void textWithoutSecretsAndNullPassThrough() {
        SecretScrubber scrubber = SecretScrubber.of("s3cret");

        String text = "nothing to hide";
        assertSame(text, scrubber.scrub(text));
        assertNull(scrubber.scrub((String) null));
        assertNull(scrubber.scrub((byte[]) null));
    }

    @Test
    public void nullEmptyAndRepeatedSecretsAreIgnored() {
        SecretScrubber scrubber = SecretScrubber.of(null, "", "pw", "pw");

        assertEquals("a ******** b", scrubber.scrub("a pw b"));
        assertEquals("SecretScrubber[1 secret(s)]", scrubber.toString());
        assertTrue(SecretScrubber.of().isEmpty());
        assertTrue(SecretScrubber.of((String[]) null).isEmpty());
        assertTrue(SecretScrubber.of(null, "").isEmpty());
        assertFalse(scrubber.isEmpty());
    }

    @Test
    public void noneScrubsNothing() {
        assertTrue(SecretScrubber.NONE.isEmpty());
        assertEquals("password s3cret", SecretScrubber.NONE.scrub("password s3cret"));
        byte[] body = "s3cret".getBytes(StandardCharsets.UTF_8);
        assertSame(body, SecretScrubber.NONE.scrub(body));
    }

    @Test
    public void theLongestSecretIsReplacedFirstSoAContainingSecretIsMaskedWhole() {
        // a password inside a longer token: replacing the short one first would leave "xx********xx"
        SecretScrubber scrubber = SecretScrubber.of("abc", "xxabcxx");

        assertEquals("token ******** pw ********", scrubber.scrub("token xxabcxx pw abc"));
        assertEquals("token ******** pw ********", SecretScrubber.of("xxabcxx", "abc").scrub("token xxabcxx pw abc"));
    }

    @Test
    public void bytesAreScrubbedInTheirUtf8Form() {
        SecretScrubber scrubber = SecretScrubber.of("pässwörd", "QWxhZGRpbjpvcGVu");
        byte[] body = "{\"auth\":\"Basic QWxhZGRpbjpvcGVu\",\"pw\":\"pässwörd\",\"again\":\"pässwörd\"}"
                .getBytes(StandardCharsets.UTF_8);

        assertArrayEquals("{\"auth\":\"Basic ********\",\"pw\":\"********\",\"again\":\"********\"}"
                .getBytes(StandardCharsets.UTF_8), scrubber.scrub(body));
    }

    @Test
    public void bytesWithoutASecretComeBackAsTheSameArray() {
        byte[] body = "plain body".getBytes(StandardCharsets.UTF_8);

        assertSame(body, SecretScrubber.of("s3cret").scrub(body));
        assertArrayEquals(new byte[0], SecretScrubber.of("s3cret").scrub(new byte[0]));
        assertArrayEquals("********".getBytes(StandardCharsets.US_ASCII),
                SecretScrubber.of("s3cret").scrub("s3cret".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    public void eachLongLineOfAMultiLineSecretCountsOnItsOwn() {
        String line1 = "MIIEowIBAAKCAQEAs0mEXAMPLEKEYLINEONE";
        String line2 = "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAE";
        String key = "-----BEGIN KEY-----\n" + line1 + "\n" + line2 + "\nshort\n-----END KEY-----\n";
        SecretScrubber scrubber = SecretScrubber.of(key);

        // the remote side printed the key with CRLF line ends: the whole key does not match, each line does
        String printed = key.replace("\n", "\r\n");
        String scrubbed = scrubber.scrub(printed);
        assertFalse(scrubbed, scrubbed.contains(line1));
        assertFalse(scrubbed, scrubbed.contains(line2));
        assertTrue(scrubbed, scrubbed.contains("********\r\n********\r\n"));
        // lines under 16 characters are too common to mask on their own
        assertEquals("short", scrubber.scrub("short"));
        // the key as a whole is one mask
        assertEquals("key: ********", scrubber.scrub("key: " + key));
        // and the lines are masked in bytes too
        String bytes = new String(scrubber.scrub(("x " + line2 + " y").getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
        assertEquals("x ******** y", bytes);
    }

    @Test
    public void andAddsSecretsWithoutChangingTheOriginal() {
        SecretScrubber first = SecretScrubber.of("one-secret");
        SecretScrubber both = first.and("two-secret", null, "");

        assertEquals("******** two-secret", first.scrub("one-secret two-secret"));
        assertEquals("******** ********", both.scrub("one-secret two-secret"));
        assertSame(both, both.and("one-secret", "two-secret", null));
        assertSame(SecretScrubber.NONE, SecretScrubber.NONE.and((String[]) null));
        assertTrue(SecretScrubber.NONE.isEmpty());
    }

    @Test
    public void toStringNeverShowsASecret() {
        SecretScrubber scrubber = SecretScrubber.of("hunter2-password");

        assertFalse(scrubber.toString().contains("hunter2"));
    }

    @Test
    public void oneScrubberServesManyThreads() throws Exception {
        SecretScrubber scrubber = SecretScrubber.of("alpha-secret", "beta-secret");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                int n = i;
                results.add(pool.submit(() -> scrubber.scrub(n + " alpha-secret beta-secret")));
            }
            for (int i = 0; i < results.size(); i++) {
                assertEquals(i + " ******** ********", results.get(i).get());
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
