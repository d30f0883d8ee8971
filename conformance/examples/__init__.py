"""Example state machines and the local handlers that answer their Task resources."""
