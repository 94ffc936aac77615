"""Descriptor pools for gRPC server reflection: exactly the files a server serves."""

from __future__ import annotations

from collections.abc import Iterable

from google.protobuf import descriptor, descriptor_pb2, descriptor_pool


def pool_of(files: Iterable[descriptor.FileDescriptor]) -> descriptor_pool.DescriptorPool:
    """A new pool holding ``files`` and, before each, every file it imports (a pool
    refuses a file whose imports it does not hold yet)."""
    pool = descriptor_pool.DescriptorPool()
    added: set[str] = set()

    def add(file: descriptor.FileDescriptor) -> None:
        if file.name in added:
            return
        for dependency in file.dependencies:
            add(dependency)
        proto = descriptor_pb2.FileDescriptorProto()
        file.CopyToProto(proto)
        pool.Add(proto)
        added.add(file.name)

    for file in files:
        add(file)
    return pool
