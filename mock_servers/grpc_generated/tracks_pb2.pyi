import datetime

from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf import wrappers_pb2 as _wrappers_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Genre(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    GENRE_UNSPECIFIED: _ClassVar[Genre]
    ROCK: _ClassVar[Genre]
    JAZZ: _ClassVar[Genre]
    ELECTRONIC: _ClassVar[Genre]
    CLASSICAL: _ClassVar[Genre]
GENRE_UNSPECIFIED: Genre
ROCK: Genre
JAZZ: Genre
ELECTRONIC: Genre
CLASSICAL: Genre

class Artist(_message.Message):
    __slots__ = ("id", "name", "country")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    country: str
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., country: _Optional[str] = ...) -> None: ...

class Track(_message.Message):
    __slots__ = ("id", "title", "artist", "genre", "tags", "credits", "stream_url", "upload_id", "released_at", "length", "rating", "extra")
    class CreditsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    ARTIST_FIELD_NUMBER: _ClassVar[int]
    GENRE_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    CREDITS_FIELD_NUMBER: _ClassVar[int]
    STREAM_URL_FIELD_NUMBER: _ClassVar[int]
    UPLOAD_ID_FIELD_NUMBER: _ClassVar[int]
    RELEASED_AT_FIELD_NUMBER: _ClassVar[int]
    LENGTH_FIELD_NUMBER: _ClassVar[int]
    RATING_FIELD_NUMBER: _ClassVar[int]
    EXTRA_FIELD_NUMBER: _ClassVar[int]
    id: str
    title: str
    artist: Artist
    genre: Genre
    tags: _containers.RepeatedScalarFieldContainer[str]
    credits: _containers.ScalarMap[str, str]
    stream_url: str
    upload_id: int
    released_at: _timestamp_pb2.Timestamp
    length: _duration_pb2.Duration
    rating: _wrappers_pb2.DoubleValue
    extra: _struct_pb2.Struct
    def __init__(self, id: _Optional[str] = ..., title: _Optional[str] = ..., artist: _Optional[_Union[Artist, _Mapping]] = ..., genre: _Optional[_Union[Genre, str]] = ..., tags: _Optional[_Iterable[str]] = ..., credits: _Optional[_Mapping[str, str]] = ..., stream_url: _Optional[str] = ..., upload_id: _Optional[int] = ..., released_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., length: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., rating: _Optional[_Union[_wrappers_pb2.DoubleValue, _Mapping]] = ..., extra: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class GetTrackRequest(_message.Message):
    __slots__ = ("id", "include_credits")
    ID_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_CREDITS_FIELD_NUMBER: _ClassVar[int]
    id: str
    include_credits: bool
    def __init__(self, id: _Optional[str] = ..., include_credits: _Optional[bool] = ...) -> None: ...

class ListTracksRequest(_message.Message):
    __slots__ = ("genre", "limit", "interval_ms", "abort_after")
    GENRE_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    INTERVAL_MS_FIELD_NUMBER: _ClassVar[int]
    ABORT_AFTER_FIELD_NUMBER: _ClassVar[int]
    genre: Genre
    limit: int
    interval_ms: int
    abort_after: int
    def __init__(self, genre: _Optional[_Union[Genre, str]] = ..., limit: _Optional[int] = ..., interval_ms: _Optional[int] = ..., abort_after: _Optional[int] = ...) -> None: ...

class PlayEvent(_message.Message):
    __slots__ = ("track_id", "at", "seconds")
    TRACK_ID_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    SECONDS_FIELD_NUMBER: _ClassVar[int]
    track_id: str
    at: _timestamp_pb2.Timestamp
    seconds: int
    def __init__(self, track_id: _Optional[str] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., seconds: _Optional[int] = ...) -> None: ...

class PlaySummary(_message.Message):
    __slots__ = ("plays", "total_seconds", "per_track", "unknown_tracks")
    class PerTrackEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    PLAYS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SECONDS_FIELD_NUMBER: _ClassVar[int]
    PER_TRACK_FIELD_NUMBER: _ClassVar[int]
    UNKNOWN_TRACKS_FIELD_NUMBER: _ClassVar[int]
    plays: int
    total_seconds: int
    per_track: _containers.ScalarMap[str, int]
    unknown_tracks: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, plays: _Optional[int] = ..., total_seconds: _Optional[int] = ..., per_track: _Optional[_Mapping[str, int]] = ..., unknown_tracks: _Optional[_Iterable[str]] = ...) -> None: ...

class JamMessage(_message.Message):
    __slots__ = ("text", "at", "bpm")
    FROM_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    BPM_FIELD_NUMBER: _ClassVar[int]
    text: str
    at: _timestamp_pb2.Timestamp
    bpm: int
    def __init__(self, text: _Optional[str] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., bpm: _Optional[int] = ..., **kwargs) -> None: ...
