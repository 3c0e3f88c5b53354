/**
 * The XML error body COS answers uploads and downloads with. node-sdk's uploadFile parses it and
 * destructures Code, Message, RequestId and TraceId, so all four must be present.
 */
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';

export function sendCosError(response: ServerResponse, status: number, code: string, message: string, resource: string): void {
  const requestId = randomBytes(16).toString('base64');
  const body =
    "<?xml version='1.0' encoding='utf-8' ?>\n" +
    `<Error>\n  <Code>${escapeXml(code)}</Code>\n  <Message>${escapeXml(message)}</Message>\n` +
    `  <Resource>${escapeXml(resource)}</Resource>\n  <RequestId>${requestId}</RequestId>\n` +
    `  <TraceId>${requestId}</TraceId>\n</Error>`;
  response.writeHead(status, {
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(body),
    'x-cos-request-id': requestId,
  });
  response.end(body);
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
