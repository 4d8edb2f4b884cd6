"""RabbitMQ driver of common.rpc (kombu over AMQP 0-9-1)."""
