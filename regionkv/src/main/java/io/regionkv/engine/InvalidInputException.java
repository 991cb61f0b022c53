package io.regionkv.engine;

/**
 * Input the engine refuses before LMDB sees it. A batch that contains one such operation is refused
 * whole and changes nothing. Each message names the limit and the actual size, so a client can act on it.
 */
public abstract sealed class InvalidInputException extends IllegalArgumentException
        permits SizeLimitException, EmptyKeyException, WrongEngineException,
                InvalidRangeException {

    InvalidInputException(String message) {
        super(message);
    }
}
