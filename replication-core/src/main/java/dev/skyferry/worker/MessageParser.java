package dev.skyferry.worker;

import dev.skyferry.event.ParsedMessage;

/**
 * Turns a queue message's text into events: {@code EventParser::parseAzureQueueMessage} for Azure
 * queues, {@code EventParser::parseSqsMessage} for SQS. Must not throw (a message it cannot read is
 * a {@link ParsedMessage.Failed} item); the worker treats a throw like one anyway.
 */
@FunctionalInterface
public interface MessageParser {
    ParsedMessage parse(String messageText);
}
