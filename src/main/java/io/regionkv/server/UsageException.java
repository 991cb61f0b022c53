package io.regionkv.server;

/** Bad command-line input: the command prints the message and its usage and exits with status 2. */
final class UsageException extends Exception {

    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }
}
