"""``CSVLogger``: write each epoch's logs as a row of a CSV file.

>>> import os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "log.csv")
>>> logger = CSVLogger(path)
>>> logger.on_train_begin()
>>> logger.on_epoch_end(0, {"loss": 0.5, "val_loss": 0.75})
>>> logger.on_train_end()
>>> print(open(path).read(), end="")
epoch,loss,val_loss
0,0.5,0.75
"""

import collections.abc
import csv
import os

from lamina.callbacks.callback import Callback


def _cell(value):
    if isinstance(value, collections.abc.Iterable) and not isinstance(value, str) and \
            getattr(value, "ndim", 1) != 0:
        return f"[{', '.join(map(str, value))}]"
    return value


class CSVLogger(Callback):
    """Writes a header (``epoch`` and the sorted log names) and one row per epoch to
    ``filename``, with ``separator`` between fields; each row is flushed at once.

    The columns are the first epoch's log names; when none of them starts with
    ``val_``, a ``val_`` column is added for each (validation may start later, as with
    ``validation_freq``), and missing values are written ``NA``. ``append=True``
    keeps the rows already in the file and reuses its header, written only when the
    file is new or empty.

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "log.csv")
    >>> for run in range(2):
    ...     logger = CSVLogger(path, separator=";", append=True)
    ...     logger.on_train_begin()
    ...     logger.on_epoch_end(0, {"loss": 1.0 / (run + 1)})
    ...     logger.on_train_end()
    >>> print(open(path).read(), end="")
    epoch;loss;val_loss
    0;1.0;NA
    0;0.5;NA
    """

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        if not isinstance(separator, str) or len(separator) != 1:
            raise ValueError("CSVLogger: separator must be a single character. Received "
                             f"separator={separator!r}.")
        self.filename = os.fspath(filename)
        self.sep = separator
        self.append = append
        self.keys = None
        self._file = None
        self._writer = None
        self._write_header = True

    def _existing_header(self):
        if not (self.append and os.path.exists(self.filename)):
            return None
        with open(self.filename, newline="") as f:
            return next(csv.reader(f, delimiter=self.sep), None)

    def on_train_begin(self, logs=None):
        self._close()
        header = self._existing_header()
        self.keys = header[1:] if header else None
        self._write_header = header is None
        self._file = open(self.filename, "a" if self.append else "w", newline="")
        self._writer = csv.writer(self._file, delimiter=self.sep)

    def on_epoch_end(self, epoch, logs=None):
        if self._file is None:
            self.on_train_begin()
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
            if not any(key.startswith("val_") for key in self.keys):
                self.keys += ["val_" + key for key in self.keys]
        unknown = [key for key in logs if key not in self.keys]
        if unknown:
            raise ValueError(f"CSVLogger: the logs of epoch {epoch} hold {unknown}, which are "
                             f"not columns of {self.filename!r} (columns: epoch, "
                             f"{', '.join(self.keys)}). Log to a new file, or use "
                             "append=False.")
        if self._write_header:
            self._writer.writerow(["epoch", *self.keys])
            self._write_header = False
        self._writer.writerow([epoch, *(_cell(logs.get(key, "NA")) for key in self.keys)])
        self._file.flush()

    def on_train_end(self, logs=None):
        self._close()

    def _close(self):
        if self._file is not None:
            self._file.close()
        self._file = None
        self._writer = None
