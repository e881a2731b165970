"""CSVLogger: the file's exact text (header once, one row per epoch), the separator,
the val_ columns, append mode keeping old rows without a second header, and the
error for logs that do not fit the file's columns."""

import numpy as np
import pytest

from lamina.callbacks import CallbackList, CSVLogger
from fake_model import model  # noqa: F401  (the fixture)


def fit(model, logger, epoch_logs):
    callbacks = CallbackList([logger], model=model, verbose=0, epochs=len(epoch_logs), steps=1)
    callbacks.on_train_begin()
    for epoch, logs in enumerate(epoch_logs):
        callbacks.on_epoch_end(epoch, dict(logs))
    callbacks.on_train_end()


def test_header_once_and_one_row_per_epoch(model, tmp_path):
    path = tmp_path / "log.csv"
    fit(model, CSVLogger(path), [{"loss": 0.5, "accuracy": 0.25, "val_loss": 0.75},
                                 {"loss": 0.375, "accuracy": 0.5, "val_loss": 0.625}])
    assert path.read_text() == ("epoch,accuracy,loss,val_loss\n"
                                "0,0.25,0.5,0.75\n"
                                "1,0.5,0.375,0.625\n")


def test_rows_are_on_disk_after_each_epoch(model, tmp_path):
    path = tmp_path / "log.csv"
    logger = CSVLogger(str(path))
    callbacks = CallbackList([logger], model=model)
    callbacks.on_train_begin()
    callbacks.on_epoch_end(0, {"loss": 1.0, "val_loss": 2.0})
    assert path.read_text() == "epoch,loss,val_loss\n0,1.0,2.0\n"
    callbacks.on_train_end()


def test_val_columns_wait_for_late_validation_and_separator(model, tmp_path):
    path = tmp_path / "log.tsv"
    fit(model, CSVLogger(path, separator="\t"), [{"loss": 1.0}, {"loss": 0.5, "val_loss": 0.25}])
    assert path.read_text() == "epoch\tloss\tval_loss\n0\t1.0\tNA\n1\t0.5\t0.25\n"


def test_append_keeps_old_rows_and_writes_no_second_header(model, tmp_path):
    path = tmp_path / "log.csv"
    fit(model, CSVLogger(path, append=True), [{"loss": 1.0, "val_loss": 2.0}])
    fit(model, CSVLogger(path, append=True), [{"val_loss": 1.5, "loss": 0.5},
                                              {"loss": 0.25, "val_loss": 1.25}])
    assert path.read_text() == ("epoch,loss,val_loss\n0,1.0,2.0\n0,0.5,1.5\n1,0.25,1.25\n")


def test_without_append_the_file_is_replaced(model, tmp_path):
    path = tmp_path / "log.csv"
    fit(model, CSVLogger(path), [{"loss": 1.0, "val_loss": 2.0}])
    fit(model, CSVLogger(path), [{"loss": 3.0, "val_loss": 4.0}])
    assert path.read_text() == "epoch,loss,val_loss\n0,3.0,4.0\n"


def test_appending_to_an_empty_file_writes_the_header(model, tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("")
    fit(model, CSVLogger(path, append=True), [{"loss": 1.0, "val_loss": 2.0}])
    assert path.read_text() == "epoch,loss,val_loss\n0,1.0,2.0\n"


def test_sequence_values_are_written_as_one_quoted_cell(model, tmp_path):
    path = tmp_path / "log.csv"
    fit(model, CSVLogger(path), [{"loss": 1.0, "val_loss": 2.0, "per_class": np.array([1, 2])}])
    assert path.read_text() == 'epoch,loss,per_class,val_loss\n0,1.0,"[1, 2]",2.0\n'


def test_logs_that_do_not_fit_the_columns_are_explained(model, tmp_path):
    path = tmp_path / "log.csv"
    fit(model, CSVLogger(path), [{"loss": 1.0, "val_loss": 2.0}])
    with pytest.raises(ValueError, match=r"CSVLogger: the logs of epoch 0 hold \['accuracy'\].*"
                                         r"columns: epoch, loss, val_loss"):
        fit(model, CSVLogger(path, append=True), [{"loss": 1.0, "accuracy": 0.5}])


def test_bad_separator_is_explained():
    with pytest.raises(ValueError, match=r"separator must be a single character. "
                                         r"Received separator=', '"):
        CSVLogger("log.csv", separator=", ")


def test_an_epoch_before_train_begin_opens_the_file(tmp_path):
    path = tmp_path / "log.csv"
    logger = CSVLogger(path)
    logger.on_epoch_end(0, {"loss": 1.0, "val_loss": 2.0})
    logger.on_train_end()
    assert path.read_text() == "epoch,loss,val_loss\n0,1.0,2.0\n"
