package io.regionkv.testkit;

/** The seed of a randomized test: from {@code -Dlincheck.seed} to replay a failure, else fresh; always printed. */
final class Seeds {

    static final String PROPERTY = "lincheck.seed";

    private Seeds() {
    }

    static long seed(String test) {
        String given = System.getProperty(PROPERTY);
        long seed = given == null || given.isBlank() ? System.nanoTime() ^ Thread.currentThread().getId()
                : Long.parseLong(given.trim());
        System.out.println(test + ": seed " + seed + " (replay with -D" + PROPERTY + "=" + seed + ")");
        return seed;
    }
}
