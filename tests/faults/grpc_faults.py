"""A gRPC server that resets its streams: ListTracks sends two tracks, then the server
cancels the call (an HTTP/2 RST_STREAM, CANCELLED for the client); GetTrack is reset at
once. The server itself keeps serving, reflection included, so a client can discover
the methods first. With ``pem`` it serves TLS with that (bad) certificate.

This is grpcio's threaded server: only its servicer context can cancel a call (the
asyncio one can only abort with a status, which is a clean ending, not a reset).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent import futures

import grpc
from grpc_reflection.v1alpha import reflection

from faults.tls_faults import ServerPem
from mock_servers.grpc_generated import tracks_pb2, tracks_pb2_grpc

__all__ = ["GrpcResetServer"]

SERVICE = tracks_pb2.DESCRIPTOR.services_by_name["TrackService"].full_name


class _Resetting(tracks_pb2_grpc.TrackServiceServicer):
    def GetTrack(
        self, request: tracks_pb2.GetTrackRequest, context: grpc.ServicerContext
    ) -> tracks_pb2.Track:
        context.cancel()
        return tracks_pb2.Track()

    def ListTracks(
        self, request: tracks_pb2.ListTracksRequest, context: grpc.ServicerContext
    ) -> Iterator[tracks_pb2.Track]:
        yield tracks_pb2.Track(id="t1", title="first")
        yield tracks_pb2.Track(id="t2", title="second")
        time.sleep(0.05)  # let both reach the client before the reset
        context.cancel()


class GrpcResetServer:
    """Listens on 127.0.0.1 on a free port; ``target`` is ``127.0.0.1:<port>``."""

    def __init__(self, pem: ServerPem | None = None) -> None:
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
        tracks_pb2_grpc.add_TrackServiceServicer_to_server(_Resetting(), self._server)
        reflection.enable_server_reflection([SERVICE, reflection.SERVICE_NAME], self._server)
        if pem is None:
            port = self._server.add_insecure_port("127.0.0.1:0")
        else:
            credentials = grpc.ssl_server_credentials([pem.pair()])
            port = self._server.add_secure_port("127.0.0.1:0", credentials)
        self.target = f"127.0.0.1:{port}"

    def start(self) -> GrpcResetServer:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop(None).wait(5)
