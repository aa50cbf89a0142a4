import { QueryClient, useQuery } from "@tanstack/react-query";
import { ApiError, api, type Instance, type Me } from "./api.ts";

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      retry: (count, err) => !(err instanceof ApiError) && count < 2,
      staleTime: 10_000,
      refetchOnWindowFocus: true,
    },
  },
});

export const useInstance = () =>
  useQuery({ queryKey: ["instance"], queryFn: () => api<Instance>("/instance") });

/** The signed-in user, or null when signed out. */
export const useMe = () =>
  useQuery({
    queryKey: ["me"],
    queryFn: async () => {
      try {
        return await api<Me>("/me");
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) return null;
        throw err;
      }
    },
  });
