package dev.skyferry.event;

import java.time.Instant;

/**
 * The fields Skyferry reads from one Azure storage event, whichever schema (Event Grid or
 * CloudEvents 1.0) and whichever reader (the Azure SDK or Jackson) produced them. Everything is
 * as delivered, nullable; {@link AzureEventMapper} decides what is missing or wrong.
 *
 * @param topic  Event Grid {@code topic} or CloudEvents {@code source}
 * @param hasData whether the event carried a {@code data} object at all
 * @param blobType a BlobCreated's {@code data.blobType}: BlockBlob, AppendBlob or PageBlob
 * @param url    {@code data.url}, or a rename's {@code data.destinationUrl}
 * @param renamedFromUrl a rename's {@code data.sourceUrl}: the name the blob had before
 */
record AzureEventFields(
        String id,
        String type,
        String subject,
        String topic,
        Instant time,
        boolean hasData,
        String api,
        String etag,
        Long contentLength,
        String blobType,
        String url,
        String renamedFromUrl,
        String sequencer) {}
