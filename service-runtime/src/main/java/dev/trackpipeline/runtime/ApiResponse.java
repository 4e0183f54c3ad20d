package dev.trackpipeline.runtime;

/** The seed server's envelope: {@code {"code":0,"data":...}} on success, {@code {"code":status,"message":...}} on error. */
public record ApiResponse<T>(int code, T data) {

    public static <T> ApiResponse<T> ok(T data) {
        return new ApiResponse<>(0, data);
    }

    /** An error body; the HTTP status is repeated in {@code code}. */
    public record Error(int code, String message) {
    }
}
