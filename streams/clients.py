"""Broker client settings, from ``[kafka]``, for both client libraries: kafka-python (the CLI,
the pipeline driver, admin, state rebuilds) and faust/aiokafka (the worker).

Security (``security_protocol``, SASL, TLS files) and the record size reach every client from
here. kafka-python clients are built with ``kafka_kwargs(bootstrap)``: a command calls
``configure(settings)`` once, and every client on that bootstrap address gets the same
settings, including the ones the stages build (state rebuilds) without seeing the settings.
The SASL password stays a ``SecretStr`` until the moment a client needs it, so no repr, log
line or error message carries it.
"""

from __future__ import annotations

import ssl
from typing import Any

from claimwire.streams.config import KafkaSettings, Settings

_CONFIGS: dict[str, KafkaSettings] = {}


def configure(settings: Settings, bootstrap_servers: str | None = None) -> None:
    """Remember the ``[kafka]`` settings for clients of ``bootstrap_servers`` (default: the
    configured address). The embedded broker speaks PLAINTEXT: its address gets the defaults
    but for the record size."""
    address = bootstrap_servers or settings.kafka.bootstrap_servers
    if not address:
        return
    kafka = settings.kafka
    if settings.kafka.bootstrap_servers is None:  # the embedded broker: no security
        kafka = KafkaSettings(max_message_bytes=kafka.max_message_bytes,
                              topic_prefix=kafka.topic_prefix, partitions=kafka.partitions)
    _CONFIGS[address] = kafka


def settings_for(bootstrap_servers: str) -> KafkaSettings:
    return _CONFIGS.get(bootstrap_servers) or KafkaSettings()


def kafka_python_security(kafka: KafkaSettings) -> dict[str, Any]:
    """The security keyword arguments of a kafka-python client."""
    out: dict[str, Any] = {"security_protocol": kafka.security_protocol}
    if kafka.security_protocol.startswith("SASL"):
        out["sasl_mechanism"] = kafka.sasl_mechanism
        out["sasl_plain_username"] = kafka.sasl_username
        out["sasl_plain_password"] = (kafka.sasl_password.get_secret_value()
                                      if kafka.sasl_password else None)
    if kafka.security_protocol in ("SSL", "SASL_SSL"):
        out.update({k: str(v) for k, v in (("ssl_cafile", kafka.ssl_cafile),
                                           ("ssl_certfile", kafka.ssl_certfile),
                                           ("ssl_keyfile", kafka.ssl_keyfile)) if v})
        out["ssl_check_hostname"] = True
    return out


def kafka_kwargs(bootstrap_servers: str, *, producer: bool = False) -> dict[str, Any]:
    """Keyword arguments of any kafka-python client on ``bootstrap_servers``."""
    kafka = settings_for(bootstrap_servers)
    out = {"bootstrap_servers": bootstrap_servers, **kafka_python_security(kafka)}
    if producer:
        out["max_request_size"] = kafka.max_message_bytes
    return out


def ssl_context(kafka: KafkaSettings) -> ssl.SSLContext | None:
    """The TLS context of the faust worker (SSL, SASL_SSL), from the CA/cert/key files."""
    if kafka.security_protocol not in ("SSL", "SASL_SSL"):
        return None
    context = ssl.create_default_context(
        purpose=ssl.Purpose.SERVER_AUTH,
        cafile=str(kafka.ssl_cafile) if kafka.ssl_cafile else None)
    if kafka.ssl_certfile:
        context.load_cert_chain(str(kafka.ssl_certfile),
                                str(kafka.ssl_keyfile) if kafka.ssl_keyfile else None)
    return context


def faust_credentials(kafka: KafkaSettings) -> Any:
    """faust's ``broker_credentials`` for the settings, or None for PLAINTEXT."""
    import faust

    context = ssl_context(kafka)
    if kafka.security_protocol.startswith("SASL"):
        return faust.SASLCredentials(
            username=kafka.sasl_username,
            password=kafka.sasl_password.get_secret_value() if kafka.sasl_password else None,
            mechanism=kafka.sasl_mechanism, ssl_context=context)
    if context is not None:
        return faust.SSLCredentials(context)
    return None
