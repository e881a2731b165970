"""Reading the learning rate of a model's optimizer, for the callbacks that change it.

>>> class Optimizer:
...     learning_rate = 0.01
>>> class Model:
...     optimizer = Optimizer()
>>> read_learning_rate("LearningRateScheduler", Model())
0.01
"""


def read_learning_rate(owner, model):
    """``float(model.optimizer.learning_rate)``, or an error naming ``owner`` that says
    what is missing."""
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or not hasattr(optimizer, "learning_rate"):
        raise ValueError(f"{owner}: expected a model whose optimizer has a learning_rate (a "
                         f"compiled model). Received model.optimizer={optimizer!r}.")
    learning_rate = optimizer.learning_rate
    try:
        return float(learning_rate)
    except (TypeError, ValueError):
        raise TypeError(f"{owner}: expected model.optimizer.learning_rate to be a number. "
                        f"Received {learning_rate!r}.") from None
