"""Callbacks (``keras.callbacks``): objects whose hooks ``fit``, ``evaluate`` and
``predict`` call at the start and end of the run, of each epoch and of each batch.

>>> from lamina import callbacks
>>> history = callbacks.History()
>>> stopper = callbacks.EarlyStopping(monitor="loss", patience=2)
>>> listed = callbacks.CallbackList([stopper, history], verbose=0, epochs=10, steps=None)
>>> [type(c).__name__ for c in listed.callbacks]
['EarlyStopping', 'History']
"""

from lamina.callbacks.backup_and_restore import BackupAndRestore
from lamina.callbacks.callback import Callback, CallbackList
from lamina.callbacks.csv_logger import CSVLogger
from lamina.callbacks.early_stopping import EarlyStopping
from lamina.callbacks.history import History
from lamina.callbacks.lambda_callback import LambdaCallback
from lamina.callbacks.learning_rate_scheduler import LearningRateScheduler
from lamina.callbacks.model_checkpoint import ModelCheckpoint
from lamina.callbacks.progbar_logger import ProgbarLogger
from lamina.callbacks.reduce_lr_on_plateau import ReduceLROnPlateau
from lamina.callbacks.tensorboard import TensorBoard
from lamina.callbacks.terminate_on_nan import TerminateOnNaN

__all__ = ["BackupAndRestore", "Callback", "CallbackList", "CSVLogger", "EarlyStopping",
           "History", "LambdaCallback", "LearningRateScheduler", "ModelCheckpoint",
           "ProgbarLogger", "ReduceLROnPlateau", "TensorBoard", "TerminateOnNaN"]
