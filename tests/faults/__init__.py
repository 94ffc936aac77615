"""Deliberately faulty servers on 127.0.0.1, for the reliability tests of every tab."""
