package dev.vmaddr.store;

import java.util.List;

/** One page of history, newest first; {@code next} is null on the last page. */
public record HistoryPage(List<HistoryEvent> items, HistoryCursor next) {
    public HistoryPage {
        items = List.copyOf(items);
    }
}
