"""The runtime the three workers share: settings, streams, the reliable consumer, metrics and health."""
