"""Rich error details: the ``google.rpc.Status`` a server puts in the
``grpc-status-details-bin`` trailer, decoded into ``(type name, JSON text)`` pairs.

A detail's type is looked up in the service's own descriptors first (a service may
define its own detail messages), then among the standard ``google.rpc`` ones
(googleapis-common-protos, which grpcio-status brings). A type neither knows is shown
as a JSON string of its base64 bytes, so nothing the server said is lost.
"""

from __future__ import annotations

import base64
import json

from google.protobuf import descriptor_pool, json_format, message_factory
from google.protobuf.any_pb2 import Any as AnyMessage
from google.protobuf.message import DecodeError, Message
from google.rpc import error_details_pb2, status_pb2

__all__ = ["DETAILS_KEY", "decode_details"]

DETAILS_KEY = "grpc-status-details-bin"
# Importing them registers the google.rpc detail types (BadRequest, ErrorInfo...).
_STANDARD = (error_details_pb2.DESCRIPTOR.name, status_pb2.DESCRIPTOR.name)


def decode_details(
    data: bytes, service_pool: descriptor_pool.DescriptorPool | None = None
) -> tuple[tuple[str, str], ...]:
    """The details in a serialized ``google.rpc.Status``. CPU work, small."""
    try:
        status = status_pb2.Status.FromString(data)
    except DecodeError:
        return (("google.rpc.Status", _base64_json(data)),)
    pools = [pool for pool in (service_pool, descriptor_pool.Default()) if pool is not None]
    return tuple(_detail(detail, pools) for detail in status.details)


def _detail(detail: AnyMessage, pools: list[descriptor_pool.DescriptorPool]) -> tuple[str, str]:
    name = detail.type_url.rsplit("/", 1)[-1]
    for pool in pools:
        try:
            descriptor = pool.FindMessageTypeByName(name)
        except KeyError:
            continue
        message: Message = message_factory.GetMessageClass(descriptor)()
        try:
            message.ParseFromString(detail.value)
            text = json_format.MessageToJson(
                message,
                preserving_proto_field_name=True,
                indent=2,
                descriptor_pool=pool,
                ensure_ascii=False,
            )
        except (DecodeError, json_format.Error):
            break
        return name, text
    return name, _base64_json(detail.value)


def _base64_json(data: bytes) -> str:
    return json.dumps(base64.b64encode(data).decode("ascii"))
