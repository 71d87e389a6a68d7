"""The processes' bus messages keep the text they have always had on the wire (a rolling
upgrade runs old and new processes on one bus), and anything else is refused."""

from __future__ import annotations

import pytest

from sessions import bus_messages as msg


def test_each_message_is_the_text_it_always_was_and_reads_back() -> None:
    appended = msg.Appended("123-abcdef", 7, 9)
    assert appended.encode() == "123-abcdef:7:9"
    assert msg.Appended.decode(appended.encode()) == appended

    signalled = msg.Signalled("123-abcdef", "p1", '{"type":"signal","x":0.5,"note":"a|b"}')
    assert signalled.encode() == '123-abcdef|p1|{"type":"signal","x":0.5,"note":"a|b"}'
    assert msg.Signalled.decode(signalled.encode()) == signalled

    assert msg.PresenceAsk("123-abcdef").encode() == "123-abcdef|?"
    assert msg.decode_presence("123-abcdef|?") == msg.PresenceAsk("123-abcdef")
    chunk = msg.PresenceChunk("123-abcdef", 4, 0, 2, ("pA", "pB"))
    assert chunk.encode() == "123-abcdef|4|0|2|pA pB"
    assert msg.decode_presence(chunk.encode()) == chunk
    nobody = msg.PresenceChunk("123-abcdef", 5, 0, 1, ())
    assert msg.decode_presence(nobody.encode()) == nobody

    erased = msg.Erased("cli-1", (3, 12))
    assert erased.encode() == "cli-1|3,12"
    assert msg.Erased.decode(erased.encode()) == erased


@pytest.mark.parametrize("payload", ["", "123-abcdef", "p|x|0|1|a", "p|1|0", "p|1|0|one|a"])
def test_a_malformed_presence_message_is_refused(payload: str) -> None:
    with pytest.raises(ValueError):
        msg.decode_presence(payload)


@pytest.mark.parametrize("payload", ["p:1", "p:a:2", "nothing"])
def test_a_malformed_append_notice_is_refused(payload: str) -> None:
    with pytest.raises(ValueError):
        msg.Appended.decode(payload)


def test_a_malformed_erasure_notice_is_refused() -> None:
    with pytest.raises(ValueError):
        msg.Erased.decode("cli-1|3,x")
