"""Code generated from apiclient/resources/proto/tracks/v1/tracks.proto; do not edit by hand.

Regenerate with `python -m mock_servers.grpc_generate` after changing the .proto (a test
fails while they differ). Importing `tracks_pb2` registers `tracks/v1/tracks.proto`
(package `mock.tracks.v1`) in protobuf's default descriptor pool.
"""
