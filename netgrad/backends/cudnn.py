"""``torch.backends.cudnn``: switches that scripts set; netgrad has no cuDNN, so they change nothing."""

enabled = True
deterministic = False
benchmark = False


def is_available() -> bool:
    return False
